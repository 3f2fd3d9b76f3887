using Cronos;
using Vigil.Configuration;

namespace Vigil.Features.Backups;

/// <summary>What a backup policy means once checked: its kinds with their intervals, its retention and its targets.</summary>
public sealed record BackupPolicy(
    string Name, string? Service, string? Description, string? Heartbeat, TimeSpan? Rpo, TimeSpan? Rto, IReadOnlyList<ExpectedBackup> Kinds,
    Retention Retention, double SizeAnomalyRatio, string? DrillSchedule)
{
    /// <summary>How many earlier good backups of a kind the newest one's size is compared with.</summary>
    public int SizeAnomalyWindow { get; init; } = 10;
    /// <summary>The successful verification the policy requires, as an expected report of kind <c>verification</c>; null when none is required.</summary>
    public ExpectedBackup? Verification { get; init; }
    /// <summary>The restore drill the policy requires (<see cref="DrillSchedule"/>), as an expected report of kind <c>restore</c>; null when none.</summary>
    public ExpectedBackup? Drill { get; init; }
}

/// <summary>A kind of backup the policy expects, due every <see cref="Every"/> or on <see cref="Cron"/>, late after <see cref="Grace"/>.</summary>
public sealed record ExpectedBackup(string Kind, TimeSpan? Every, CronExpression? Cron, TimeSpan Grace)
{
    /// <summary>The schedule as written: the period (<c>5m</c>) or the cron expression.</summary>
    public string Schedule => Every is { } every ? Duration.Format(every) : Cron!.ToString();
}

public sealed record Retention(int Daily, int Weekly, int Monthly, int Yearly);

public static class BackupPolicyRules
{
    public static readonly string[] Kinds = ["full", "incremental", "wal", "snapshot", "replication"];
    public static readonly string[] DrillSchedules = ["weekly", "monthly", "quarterly", "annual"];

    /// <summary>
    /// RPO and RTO per tier, from the operations guide's backup plan (seed 001): critical 15 min /
    /// 1 h, important 1 h / 4 h, standard 24 h / 24 h.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (TimeSpan Rpo, TimeSpan Rto)> TierTargets = new Dictionary<string, (TimeSpan, TimeSpan)>(StringComparer.Ordinal)
    {
        ["critical"] = (TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)),
        ["important"] = (TimeSpan.FromHours(1), TimeSpan.FromHours(4)),
        ["standard"] = (TimeSpan.FromHours(24), TimeSpan.FromHours(24)),
    };

    public static IEnumerable<FieldError> ValidateConfig(VigilConfig config)
    {
        var services = config.Services.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.BackupPolicies.Count; i++)
        {
            var policy = config.BackupPolicies[i];
            var prefix = $"backup_policies[{i}].";
            if (policy.Name is not null && !names.Add(policy.Name))
            {
                yield return new($"{prefix}name", $"duplicate backup policy name \"{policy.Name}\"");
            }
            if (!string.IsNullOrWhiteSpace(policy.Service) && !services.Contains(policy.Service))
            {
                yield return new($"{prefix}service", $"unknown service \"{policy.Service}\" (define it under services:)");
            }
            if (policy.Heartbeat is { } heartbeat && !config.Monitors.Any(m => m.Name == heartbeat && m.Type == Monitors.MonitorType.Heartbeat))
            {
                yield return new($"{prefix}heartbeat", $"no heartbeat monitor \"{heartbeat}\" (define it under monitors: with type: heartbeat)");
            }
            foreach (var error in Validate(policy, prefix))
            {
                yield return error;
            }
        }
    }

    public static IEnumerable<FieldError> Validate(BackupPolicyDefinition policy, string prefix)
    {
        if (string.IsNullOrWhiteSpace(policy.Name))
        {
            yield return new($"{prefix}name", "a name is required");
        }
        if (policy.Tier is not null && !TierTargets.ContainsKey(policy.Tier))
        {
            yield return new($"{prefix}tier", $"unknown tier \"{policy.Tier}\": use one of {string.Join(", ", TierTargets.Keys)}");
        }
        if (policy.Rpo is { } rpo && rpo <= TimeSpan.Zero)
        {
            yield return new($"{prefix}rpo", "must be more than 0");
        }
        if (policy.Rto is { } rto && rto <= TimeSpan.Zero)
        {
            yield return new($"{prefix}rto", "must be more than 0");
        }
        if (policy.Grace is { } grace && grace < TimeSpan.Zero)
        {
            yield return new($"{prefix}grace", "must not be negative");
        }
        if (policy.Kinds.Count == 0)
        {
            yield return new($"{prefix}kinds", "at least one kind of backup is required");
        }
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 0; k < policy.Kinds.Count; k++)
        {
            var kind = policy.Kinds[k];
            var at = $"{prefix}kinds[{k}].";
            if (kind.Kind is null || !Kinds.Contains(kind.Kind))
            {
                yield return new($"{at}kind", $"unknown kind \"{kind.Kind}\": use one of {string.Join(", ", Kinds)}");
            }
            else if (!kinds.Add(kind.Kind))
            {
                yield return new($"{at}kind", $"kind \"{kind.Kind}\" is listed twice");
            }
            if ((kind.Every is null) == (kind.Schedule is null))
            {
                yield return new($"{at}every", "give exactly one of every (a period, e.g. 5m) and schedule (cron, e.g. \"0 2 * * *\")");
            }
            else if (kind.Every is { } every && every < TimeSpan.FromMinutes(1))
            {
                yield return new($"{at}every", "must be at least 1m");
            }
            else if (kind.Schedule is { } schedule && !Monitors.MonitorRules.TryCron(schedule, out _))
            {
                yield return new($"{at}schedule", $"\"{schedule}\" is not a five-field cron expression");
            }
        }
        if (policy.Retention is { } retention)
        {
            foreach (var (value, key) in new[] { (retention.Daily, "daily"), (retention.Weekly, "weekly"), (retention.Monthly, "monthly"), (retention.Yearly, "yearly") })
            {
                if (value is < 0 or > 10_000)
                {
                    yield return new($"{prefix}retention.{key}", "must be 0 to 10000");
                }
            }
        }
        if (policy.SizeAnomalyRatio is { } ratio && ratio != 0 && ratio <= 1)
        {
            yield return new($"{prefix}size_anomaly_ratio", "must be more than 1 (or 0 to turn the check off)");
        }
        if (policy.SizeAnomalyWindow is < 3 or > 1000)
        {
            yield return new($"{prefix}size_anomaly_window", "must be 3 to 1000");
        }
        if (policy.VerifyEvery is { } verify && verify < TimeSpan.FromMinutes(1))
        {
            yield return new($"{prefix}verify_every", "must be at least 1m");
        }
        if (policy.DrillSchedule is { } drill && !DrillSchedules.Contains(drill) && !Monitors.MonitorRules.TryCron(drill, out _))
        {
            yield return new($"{prefix}drill_schedule", $"unknown drill schedule \"{drill}\": use one of {string.Join(", ", DrillSchedules)} or a five-field cron expression");
        }
    }

    /// <summary>The checked policy; call only on a definition <see cref="Validate"/> accepted.</summary>
    public static BackupPolicy Resolve(BackupPolicyDefinition d)
    {
        var tier = d.Tier is { } t ? TierTargets[t] : ((TimeSpan Rpo, TimeSpan Rto)?)null;
        ExpectedBackup Expect(string kind, TimeSpan? every, string? schedule)
        {
            Monitors.MonitorRules.TryCron(schedule ?? "", out var cron);
            var interval = every ?? Interval(cron!);
            var grace = d.Grace ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, interval.Ticks / 10));
            return new ExpectedBackup(kind, every, every is null ? cron : null, grace);
        }
        var kinds = d.Kinds.Select(k => Expect(k.Kind!, k.Every, k.Schedule)).ToList();
        var r = d.Retention;
        return new BackupPolicy(d.Name!, d.Service, d.Description, d.Heartbeat, d.Rpo ?? tier?.Rpo, d.Rto ?? tier?.Rto, kinds,
            new Retention(r?.Daily ?? 0, r?.Weekly ?? 0, r?.Monthly ?? 0, r?.Yearly ?? 0), d.SizeAnomalyRatio ?? 2, d.DrillSchedule)
        {
            SizeAnomalyWindow = d.SizeAnomalyWindow ?? 10,
            Verification = d.VerifyEvery is { } verify ? Expect("verification", verify, null) : null,
            Drill = d.DrillSchedule is { } drill ? Expect("restore", DrillPeriod(drill), DrillPeriod(drill) is null ? drill : null) : null,
        };
    }

    /// <summary>
    /// A named drill schedule as the longest its period can be: a week, a month (31 days), a quarter
    /// (92 days), a year (366 days); null for a cron expression.
    /// </summary>
    public static TimeSpan? DrillPeriod(string schedule) => schedule switch
    {
        "weekly" => TimeSpan.FromDays(7),
        "monthly" => TimeSpan.FromDays(31),
        "quarterly" => TimeSpan.FromDays(92),
        "annual" => TimeSpan.FromDays(366),
        _ => null,
    };

    /// <summary>The gap between two consecutive occurrences of a cron schedule, from a fixed reference day.</summary>
    public static TimeSpan Interval(CronExpression cron)
    {
        var reference = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        var first = cron.GetNextOccurrence(reference) ?? reference;
        var second = cron.GetNextOccurrence(first) ?? first.AddDays(1);
        return second - first;
    }
}
