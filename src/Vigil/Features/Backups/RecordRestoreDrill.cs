using System.Text.Json;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Backups;

/// <summary>
/// <c>POST /api/backups/policies/{name}/drills</c> (and <c>vigil backup drill</c>): a restore test
/// with its measured duration and result, stored as a report of kind <c>restore</c> and judged
/// against the policy's RTO. The duration is <c>finished_at - started_at</c>, or <c>duration</c>
/// (<c>70m</c>) back from <c>finished_at</c> (default now).
/// </summary>
public static class RecordRestoreDrill
{
    public sealed class Request
    {
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        /// <summary>How long the restore took, e.g. <c>70m</c>; instead of <see cref="StartedAt"/>.</summary>
        public string? Duration { get; set; }
        public string? Status { get; set; }
        public string? Log { get; set; }
    }

    public sealed record DrillResult(ListBackupReports.ReportView Report, string Duration, string? Rto, bool? WithinRto);

    public static async Task<IResult> Handle(string name, HttpRequest http, ConfigReloader config, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ListBackupPolicies.Current(config).FirstOrDefault(p => p.Name == name) is not { } policy)
        {
            return Hosting.Problems.NotFound($"no backup policy \"{name}\"");
        }
        using var reader = new StreamReader(http.Body);
        Request? request;
        try
        {
            request = JsonSerializer.Deserialize<Request>(await reader.ReadToEndAsync(cancellationToken), ReceiveBackupReport.Json);
        }
        catch (JsonException e)
        {
            return Hosting.Problems.Field(e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", e.Message.Split(" Path:")[0]);
        }
        if (request is null)
        {
            return Hosting.Problems.Field("body", "a JSON drill is required");
        }
        var (result, error) = await RecordAsync(policy, request, db, audit, clock.GetUtcNow(), cancellationToken);
        return result is null
            ? Hosting.Problems.Field(error!.Path, error.Reason)
            : TypedResults.Created($"/api/backups/policies/{Uri.EscapeDataString(policy.Name)}", result);
    }

    /// <summary>The drill's rules and its recording, shared by the API and the policy page's form: the result, or the field at fault and nothing saved.</summary>
    public static async Task<(DrillResult? Result, FieldError? Error)> RecordAsync(
        BackupPolicy policy, Request request, VigilDbContext db, AuditLog audit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var started = request.StartedAt;
        if (request.Duration is { } text)
        {
            if (started is not null)
            {
                return (null, new("duration", "give started_at or duration, not both"));
            }
            if (!Configuration.Duration.TryParse(text, out var took) || took <= TimeSpan.Zero)
            {
                return (null, new("duration", $"\"{text}\" is not a positive duration such as 70m"));
            }
            started = (request.FinishedAt ?? now) - took;
        }
        else if (started is null)
        {
            return (null, new("started_at", "a restore drill needs started_at or duration: its duration is measured against the RTO"));
        }
        var report = new ReceiveBackupReport.Request
        {
            Policy = policy.Name,
            Kind = "restore",
            StartedAt = started,
            FinishedAt = request.FinishedAt ?? now,
            Status = request.Status,
            Log = request.Log,
        };
        var (drill, invalid) = ReceiveBackupReport.Check(report, policy, "api", now);
        if (drill is null)
        {
            return (null, invalid);
        }
        db.Add(drill);
        var run = new LastRun(drill.StartedAt, drill.FinishedAt, drill.Status == "success");
        var within = BackupChecks.WithinRto(policy, run);
        audit.Record("drill", "backup", policy.Name, new { status = drill.Status, duration = Configuration.Duration.Format(run.Duration!.Value), within_rto = within });
        await db.SaveChangesAsync(cancellationToken);
        return (new DrillResult(ListBackupReports.View(drill), Configuration.Duration.Format(run.Duration!.Value), policy.Rto is { } rto ? Configuration.Duration.Format(rto) : null, within), null);
    }
}
