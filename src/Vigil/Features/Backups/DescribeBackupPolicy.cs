using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Backups;

/// <summary>The newest good backup of an expected kind, and whether it is later than its schedule plus grace.</summary>
public sealed record KindStatus(string Kind, string Schedule, DateTimeOffset? LastGood, bool Overdue);

/// <summary>
/// Where a policy stands now, read from its reports: RPO now (the age of the newest good backup of
/// any kind, the data a restore now would lose), the newest good backup per kind, the retention
/// table, the last verification and restore drill (its duration against the RTO), the findings the
/// check alerts on, and the newest reports.
/// </summary>
public sealed record BackupPolicyStatus(
    BackupPolicy Policy, TimeSpan? RpoNow, IReadOnlyList<KindStatus> Kinds, IReadOnlyList<RetentionRow> Retention,
    LastRun? LastVerification, LastRun? LastDrill, bool? DrillWithinRto, IReadOnlyList<BackupFinding> Findings, IReadOnlyList<BackupReport> Recent)
{
    /// <summary><c>ok</c>, or the most severe finding's severity (<c>critical</c>, <c>warning</c>).</summary>
    public string State => Findings.Any(f => f.Severity == "critical") ? "critical" : Findings.Count > 0 ? "warning" : "ok";
}

/// <summary><c>GET /api/backups/policies/{name}</c>: a policy's status (<see cref="BackupPolicyStatus"/>), as the console's report page shows it.</summary>
public static class DescribeBackupPolicy
{
    /// <summary>
    /// Reads a policy's reports and runs every check of <see cref="BackupChecks"/> on them;
    /// <paramref name="watchedSince"/> is when watching began (before a kind's first report).
    /// </summary>
    public static async Task<BackupPolicyStatus> LoadAsync(VigilDbContext db, BackupPolicy policy, DateTimeOffset watchedSince, DateTimeOffset now, int recent, CancellationToken cancellationToken)
    {
        var good = await db.Set<BackupReport>().AsNoTracking()
            .Where(r => r.Policy == policy.Name && r.Status == "success" && r.Kind != "restore" && r.Kind != "verification")
            .Select(r => new { r.Kind, r.FinishedAt, r.SizeBytes }).ToListAsync(cancellationToken);
        var lastGood = good.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.Max(r => r.FinishedAt), StringComparer.Ordinal);
        var verification = await LastRunsAsync(db, policy.Name, "verification", cancellationToken);
        var drill = await LastRunsAsync(db, policy.Name, "restore", cancellationToken);
        var overdue = BackupChecks.Overdue(policy, lastGood, watchedSince, now).ToList();
        var retention = BackupChecks.RetentionTable(policy, [.. good.Select(r => r.FinishedAt)], now);
        List<BackupFinding> findings =
        [
            .. overdue,
            .. BackupChecks.RetentionGaps(policy, [.. good.Select(r => r.FinishedAt)], now),
            .. BackupChecks.SizeAnomalies(policy, good.Where(r => r.SizeBytes is not null).Select(r => new BackupSize(r.Kind, r.FinishedAt, r.SizeBytes!.Value))),
            .. BackupChecks.Verifications(policy, verification.Last, verification.LastGood, watchedSince, now),
            .. BackupChecks.Drills(policy, drill.Last, drill.LastGood, watchedSince, now),
        ];
        var kinds = policy.Kinds.Select(k => new KindStatus(k.Kind, k.Schedule, lastGood.TryGetValue(k.Kind, out var at) ? at : null, overdue.Any(f => f.Kind == k.Kind))).ToList();
        var rpoNow = lastGood.Count > 0 ? now - lastGood.Values.Max() : (TimeSpan?)null;
        var reports = recent == 0 ? [] : await db.Set<BackupReport>().AsNoTracking().Where(r => r.Policy == policy.Name)
            .OrderByDescending(r => r.FinishedAt).ThenByDescending(r => r.Id).Take(recent).ToListAsync(cancellationToken);
        return new BackupPolicyStatus(policy, rpoNow, kinds, retention, verification.Last, drill.Last,
            drill.Last is { } d ? BackupChecks.WithinRto(policy, d) : null, findings, reports);
    }

    /// <summary>The newest report of a kind, and when the newest successful one finished.</summary>
    public static async Task<(LastRun? Last, DateTimeOffset? LastGood)> LastRunsAsync(VigilDbContext db, string policy, string kind, CancellationToken cancellationToken)
    {
        var reports = db.Set<BackupReport>().AsNoTracking().Where(r => r.Policy == policy && r.Kind == kind)
            .OrderByDescending(r => r.FinishedAt).ThenByDescending(r => r.Id);
        var last = await reports.Select(r => new LastRun(r.StartedAt, r.FinishedAt, r.Status == "success")).FirstOrDefaultAsync(cancellationToken);
        if (last is null || last.Succeeded)
        {
            return (last, last?.FinishedAt);
        }
        var good = await reports.Where(r => r.Status == "success").Select(r => (DateTimeOffset?)r.FinishedAt).FirstOrDefaultAsync(cancellationToken);
        return (last, good);
    }

    public sealed record FindingView(string Alert, string Kind, string Severity, string Detail);

    public sealed record DrillView(DateTimeOffset? StartedAt, DateTimeOffset FinishedAt, string? Duration, bool Succeeded, string? Rto, bool? WithinRto);

    public sealed record StatusView(
        ListBackupPolicies.PolicyView Policy, string State, string? RpoNow, bool? RpoMet, IReadOnlyList<KindStatus> Kinds, IReadOnlyList<RetentionRow> Retention,
        DrillView? LastDrill, LastRun? LastVerification, IReadOnlyList<FindingView> Findings, IReadOnlyList<ListBackupReports.ReportView> Recent);

    public static StatusView View(BackupPolicyStatus s) => new(
        ListBackupPolicies.View(s.Policy), s.State, s.RpoNow is { } rpo ? Duration.Format(rpo) : null,
        s.RpoNow is { } age && s.Policy.Rpo is { } target ? age <= target : null, s.Kinds, s.Retention,
        s.LastDrill is { } d ? new DrillView(d.StartedAt, d.FinishedAt, d.Duration is { } took ? Duration.Format(took) : null, d.Succeeded,
            s.Policy.Rto is { } rto ? Duration.Format(rto) : null, s.DrillWithinRto) : null,
        s.LastVerification, [.. s.Findings.Select(f => new FindingView(f.Alert, f.Kind, f.Severity, f.Detail))], [.. s.Recent.Select(ListBackupReports.View)]);

    public static async Task<IResult> Handle(string name, ConfigReloader config, VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ListBackupPolicies.Current(config).FirstOrDefault(p => p.Name == name) is not { } policy)
        {
            return Hosting.Problems.NotFound($"no backup policy \"{name}\"");
        }
        var now = clock.GetUtcNow();
        return TypedResults.Ok(View(await LoadAsync(db, policy, now, now, 20, cancellationToken)));
    }
}
