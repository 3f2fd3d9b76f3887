using System.Globalization;

namespace Vigil.Features.Backups;

/// <summary>What a backup check found wrong: the alert it raises (<see cref="Alert"/>) and a sentence for people.</summary>
public sealed record BackupFinding(string Alert, string Kind, string Detail, string Severity = "warning");

/// <summary>A retention tier: <see cref="Required"/> periods must each hold a backup; <see cref="Kept"/> of the counted ones do; <see cref="Gaps"/> names those that do not.</summary>
public sealed record RetentionRow(string Tier, int Required, int Kept, IReadOnlyList<string> Gaps);

/// <summary>A good backup's size, for the size-anomaly check.</summary>
public sealed record BackupSize(string Kind, DateTimeOffset FinishedAt, long SizeBytes);

/// <summary>The newest report of a kind (<c>verification</c> or <c>restore</c>): when it started and finished and whether it succeeded.</summary>
public sealed record LastRun(DateTimeOffset? StartedAt, DateTimeOffset FinishedAt, bool Succeeded)
{
    public TimeSpan? Duration => StartedAt is { } started ? FinishedAt - started : null;
}

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
                yield return new BackupFinding("BackupMissing", kind.Kind, $"{policy.Name}: {what}, expected every {kind.Schedule} (+{Configuration.Duration.Format(kind.Grace)} grace)", "critical");
            }
        }
    }

    /// <summary>
    /// Grandfather-father-son: the last N complete days, ISO weeks, months and years (UTC) must each
    /// hold at least one good backup. Periods that ended before the first reported backup are not
    /// counted (the policy is younger than them). Returns one finding per missing period, oldest first per tier.
    /// </summary>
    public static IEnumerable<BackupFinding> RetentionGaps(BackupPolicy policy, IReadOnlyList<DateTimeOffset> goodBackups, DateTimeOffset now) =>
        RetentionTable(policy, goodBackups, now).SelectMany(row => row.Gaps.Select(gap =>
            new BackupFinding("BackupRetentionGap", row.Tier, $"{policy.Name}: no good backup in {row.Tier} period {gap} ({row.Required} {row.Tier} backups must be kept)")));

    /// <summary>
    /// The retention table behind <see cref="RetentionGaps"/>: per tier, how many periods must hold a
    /// backup, how many of the counted ones do, and the names of those that do not.
    /// </summary>
    public static IReadOnlyList<RetentionRow> RetentionTable(BackupPolicy policy, IReadOnlyList<DateTimeOffset> goodBackups, DateTimeOffset now)
    {
        var tiers = new (string Tier, int Count, Func<DateTime, DateTime> Start, Func<DateTime, DateTime> Next, Func<DateTime, string> Name)[]
        {
            ("daily", policy.Retention.Daily, d => d.Date, d => d.AddDays(1), d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("weekly", policy.Retention.Weekly, d => d.Date.AddDays(-(((int)d.DayOfWeek + 6) % 7)), d => d.AddDays(7),
                d => $"{ISOWeek.GetYear(d)}-W{ISOWeek.GetWeekOfYear(d):00}"),
            ("monthly", policy.Retention.Monthly, d => new DateTime(d.Year, d.Month, 1, 0, 0, 0, DateTimeKind.Utc), d => d.AddMonths(1), d => d.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
            ("yearly", policy.Retention.Yearly, d => new DateTime(d.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc), d => d.AddYears(1), d => d.ToString("yyyy", CultureInfo.InvariantCulture)),
        };
        var times = goodBackups.Select(t => t.UtcDateTime).Order().ToArray();
        var rows = new List<RetentionRow>();
        foreach (var (tier, count, start, next, name) in tiers)
        {
            if (count == 0)
            {
                continue;
            }
            // The current period is still open: the N complete ones before it are checked.
            var end = start(now.UtcDateTime);
            var periods = new List<DateTime>();
            for (var p = end; periods.Count < count && times.Length > 0;)
            {
                var previous = Previous(p, start, next);
                if (next(previous) <= times[0])
                {
                    break;
                }
                periods.Add(previous);
                p = previous;
            }
            periods.Reverse();
            var gaps = new List<string>();
            foreach (var period in periods)
            {
                var index = Array.BinarySearch(times, period);
                var at = index >= 0 ? index : ~index;
                if (at >= times.Length || times[at] >= next(period))
                {
                    gaps.Add(name(period));
                }
            }
            rows.Add(new RetentionRow(tier, count, periods.Count - gaps.Count, gaps));
        }
        return rows;
    }

    /// <summary>
    /// Size anomaly: the newest good backup of each kind is compared with the median size of the
    /// up to <see cref="BackupPolicy.SizeAnomalyWindow"/> good backups of that kind before it; it is
    /// an anomaly when it is more than <see cref="BackupPolicy.SizeAnomalyRatio"/> times larger or
    /// smaller. At least 3 earlier backups with a size are needed; a ratio of 0 turns the check off.
    /// </summary>
    public static IEnumerable<BackupFinding> SizeAnomalies(BackupPolicy policy, IEnumerable<BackupSize> goodBackups)
    {
        if (policy.SizeAnomalyRatio == 0)
        {
            yield break;
        }
        foreach (var kind in goodBackups.GroupBy(b => b.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var newestFirst = kind.OrderByDescending(b => b.FinishedAt).ToList();
            var earlier = newestFirst.Skip(1).Take(policy.SizeAnomalyWindow).Select(b => (double)b.SizeBytes).ToList();
            if (earlier.Count < 3)
            {
                continue;
            }
            var median = Median(earlier);
            var size = newestFirst[0].SizeBytes;
            var ratio = policy.SizeAnomalyRatio;
            if (median > 0 ? size > median * ratio || size < median / ratio : size > 0)
            {
                yield return new BackupFinding("BackupSizeAnomaly", kind.Key,
                    $"{policy.Name}: the last {kind.Key} backup is {Bytes(size)}, the median of the {earlier.Count} before it {Bytes((long)median)} (more than {ratio.ToString(CultureInfo.InvariantCulture)}x off)");
            }
        }
    }

    /// <summary>
    /// The median as statistics defines it (and <c>numpy.median</c> computes it): the middle value of
    /// the sorted values, or the mean of the two middle ones when their number is even.
    /// </summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// Verification: the newest <c>verification</c> report failed (<c>BackupVerificationFailed</c>), or
    /// the policy requires one every <c>verify_every</c> and none succeeded within it plus grace
    /// (<c>BackupVerificationMissing</c>).
    /// </summary>
    public static IEnumerable<BackupFinding> Verifications(BackupPolicy policy, LastRun? last, DateTimeOffset? lastGood, DateTimeOffset watchedSince, DateTimeOffset now)
    {
        if (last is { Succeeded: false })
        {
            yield return new BackupFinding("BackupVerificationFailed", "verification", $"{policy.Name}: the last verification, finished {last.FinishedAt:yyyy-MM-dd HH:mm} UTC, failed", "critical");
        }
        if (policy.Verification is { } expected && Late(expected, lastGood, watchedSince, now) is { } age)
        {
            var what = lastGood is null ? $"no successful verification in {age}" : $"the last successful verification finished {age} ago";
            yield return new BackupFinding("BackupVerificationMissing", "verification", $"{policy.Name}: {what}, required every {expected.Schedule} (+{Configuration.Duration.Format(expected.Grace)} grace)");
        }
    }

    /// <summary>Whether a restore drill met the RTO: null when the policy has no RTO or the drill no duration.</summary>
    public static bool? WithinRto(BackupPolicy policy, LastRun drill) =>
        policy.Rto is { } rto && drill.Duration is { } took ? took <= rto : null;

    /// <summary>
    /// Restore drills: the newest drill failed (<c>BackupDrillFailed</c>) or took longer than the RTO
    /// (<c>BackupRtoBreach</c>); a drill schedule whose last successful drill is older than its period
    /// plus grace (<c>BackupDrillOverdue</c>).
    /// </summary>
    public static IEnumerable<BackupFinding> Drills(BackupPolicy policy, LastRun? last, DateTimeOffset? lastGood, DateTimeOffset watchedSince, DateTimeOffset now)
    {
        if (last is { Succeeded: false })
        {
            yield return new BackupFinding("BackupDrillFailed", "restore", $"{policy.Name}: the last restore drill, finished {last.FinishedAt:yyyy-MM-dd HH:mm} UTC, failed", "critical");
        }
        else if (last is not null && WithinRto(policy, last) == false)
        {
            yield return new BackupFinding("BackupRtoBreach", "restore",
                $"{policy.Name}: the last restore drill took {Configuration.Duration.Format(last.Duration!.Value)}, longer than the RTO of {Configuration.Duration.Format(policy.Rto!.Value)}", "critical");
        }
        if (policy.Drill is { } expected && Late(expected, lastGood, watchedSince, now) is { } age)
        {
            var what = lastGood is null ? $"no successful restore drill in {age}" : $"the last successful restore drill finished {age} ago";
            yield return new BackupFinding("BackupDrillOverdue", "restore", $"{policy.Name}: {what}, due {policy.DrillSchedule} (+{Configuration.Duration.Format(expected.Grace)} grace)");
        }
    }

    /// <summary>How long ago (formatted) the expected report last came, or Vigil began watching, when that is more than its interval plus grace; else null.</summary>
    private static string? Late(ExpectedBackup expected, DateTimeOffset? last, DateTimeOffset watchedSince, DateTimeOffset now)
    {
        var interval = expected.Every ?? BackupPolicyRules.Interval(expected.Cron!);
        var since = last ?? watchedSince;
        return now - since > interval + expected.Grace ? Configuration.Duration.Format(now - since) : null;
    }

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{(bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture)} GiB",
        >= 1L << 20 => $"{(bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture)} MiB",
        >= 1L << 10 => $"{(bytes / (double)(1L << 10)).ToString("0.#", CultureInfo.InvariantCulture)} KiB",
        _ => $"{bytes} B",
    };

    private static DateTime Previous(DateTime periodStart, Func<DateTime, DateTime> start, Func<DateTime, DateTime> next) =>
        start(periodStart.AddTicks(-1));
}
