using System.Globalization;

namespace Vigil.Features.Backups;

/// <summary>What a backup check found wrong: the alert it raises (<see cref="Alert"/>) and a sentence for people.</summary>
public sealed record BackupFinding(string Alert, string Kind, string Detail);

/// <summary>
/// The decisions behind the backup alerts, as functions of the policy, the reported backups and
/// <c>now</c>; the loop that calls them does the reading and the alerting.
/// </summary>
public static class BackupChecks
{
    /// <summary>
    /// RPO per kind: the newest good backup of each expected kind may be at most its interval plus
    /// grace old. Before the first backup of a kind, the time counts from <paramref name="watchedSince"/>
    /// (when Vigil started watching the policy).
    /// </summary>
    public static IEnumerable<BackupFinding> Overdue(BackupPolicy policy, IReadOnlyDictionary<string, DateTimeOffset> lastGood, DateTimeOffset watchedSince, DateTimeOffset now)
    {
        foreach (var kind in policy.Kinds)
        {
            var interval = kind.Every ?? BackupPolicyRules.Interval(kind.Cron!);
            var since = lastGood.TryGetValue(kind.Kind, out var last) ? last : watchedSince;
            if (now - since > interval + kind.Grace)
            {
                var what = lastGood.ContainsKey(kind.Kind) ? $"last good {kind.Kind} backup finished {Configuration.Duration.Format(now - since)} ago" : $"no good {kind.Kind} backup reported in {Configuration.Duration.Format(now - since)}";
                yield return new BackupFinding("BackupMissing", kind.Kind, $"{policy.Name}: {what}, expected every {kind.Schedule} (+{Configuration.Duration.Format(kind.Grace)} grace)");
            }
        }
    }

    /// <summary>
    /// Grandfather-father-son: the last N complete days, ISO weeks, months and years (UTC) must each
    /// hold at least one good backup. Periods that ended before the first reported backup are not
    /// counted (the policy is younger than them). Returns one finding per missing period, oldest first per tier.
    /// </summary>
    public static IEnumerable<BackupFinding> RetentionGaps(BackupPolicy policy, IReadOnlyList<DateTimeOffset> goodBackups, DateTimeOffset now)
    {
        if (goodBackups.Count == 0)
        {
            yield break;
        }
        var first = goodBackups.Min();
        var tiers = new (string Tier, int Count, Func<DateTime, DateTime> Start, Func<DateTime, DateTime> Next, Func<DateTime, string> Name)[]
        {
            ("daily", policy.Retention.Daily, d => d.Date, d => d.AddDays(1), d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("weekly", policy.Retention.Weekly, d => d.Date.AddDays(-(((int)d.DayOfWeek + 6) % 7)), d => d.AddDays(7),
                d => $"{ISOWeek.GetYear(d)}-W{ISOWeek.GetWeekOfYear(d):00}"),
            ("monthly", policy.Retention.Monthly, d => new DateTime(d.Year, d.Month, 1, 0, 0, 0, DateTimeKind.Utc), d => d.AddMonths(1), d => d.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
            ("yearly", policy.Retention.Yearly, d => new DateTime(d.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc), d => d.AddYears(1), d => d.ToString("yyyy", CultureInfo.InvariantCulture)),
        };
        var times = goodBackups.Select(t => t.UtcDateTime).Order().ToArray();
        foreach (var (tier, count, start, next, name) in tiers)
        {
            // The current period is still open: the N complete ones before it are checked.
            var end = start(now.UtcDateTime);
            var periods = new List<DateTime>();
            for (var p = end; periods.Count < count;)
            {
                var previous = Previous(p, start, next);
                if (next(previous) <= first.UtcDateTime)
                {
                    break;
                }
                periods.Add(previous);
                p = previous;
            }
            periods.Reverse();
            foreach (var period in periods)
            {
                var index = Array.BinarySearch(times, period);
                var at = index >= 0 ? index : ~index;
                if (at >= times.Length || times[at] >= next(period))
                {
                    yield return new BackupFinding("BackupRetentionGap", tier, $"{policy.Name}: no good backup in {tier} period {name(period)} ({count} {tier} backups must be kept)");
                }
            }
        }
    }

    private static DateTime Previous(DateTime periodStart, Func<DateTime, DateTime> start, Func<DateTime, DateTime> next) =>
        start(periodStart.AddTicks(-1));
}
