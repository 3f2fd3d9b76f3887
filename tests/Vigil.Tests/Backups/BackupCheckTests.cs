using Vigil.Features.Backups;

namespace Vigil.Tests.Backups;

/// <summary>The pure decisions behind backup alerts: retention gaps (GFS) and overdue backups (RPO).</summary>
public sealed class BackupCheckTests
{
    private static BackupPolicy Policy(string yaml) => BackupPolicyRules.Resolve(
        Vigil.Configuration.ConfigLoader.Parse("vigil.yaml", yaml, new System.Collections.Hashtable()) is { IsValid: true } loaded
            ? loaded.Config.BackupPolicies[0]
            : throw new InvalidOperationException("invalid policy"));

    private static readonly BackupPolicy Gfs = Policy("""
        backup_policies:
          - name: orders-db
            kinds: [{kind: full, schedule: "0 2 * * *"}]
            retention: {daily: 30, weekly: 12, monthly: 12, yearly: 7}
        """);

    // 400 simulated days of nightly backups, ending the night before "now".
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static List<DateTimeOffset> Nightly(Func<DateTimeOffset, bool>? skip = null) =>
        [.. Enumerable.Range(1, 400).Select(d => new DateTimeOffset(Now.Date, TimeSpan.Zero).AddDays(-d).AddHours(2).AddMinutes(20)).Where(t => skip is null || !skip(t))];

    [Fact]
    public void Four_hundred_complete_days_satisfy_a_30_12_12_7_policy()
    {
        Assert.Empty(BackupChecks.RetentionGaps(Gfs, Nightly(), Now));
    }

    [Fact]
    public void A_week_without_backups_older_than_the_dailies_is_exactly_one_weekly_gap()
    {
        // ISO week 2026-W38 (Mon 14 - Sun 20 September): older than the 30 dailies, within the 12 weeklies.
        var backups = Nightly(t => t >= new DateTimeOffset(2026, 9, 14, 0, 0, 0, TimeSpan.Zero) && t < new DateTimeOffset(2026, 9, 21, 0, 0, 0, TimeSpan.Zero));

        var gap = Assert.Single(BackupChecks.RetentionGaps(Gfs, backups, Now));

        Assert.Equal(("BackupRetentionGap", "weekly"), (gap.Alert, gap.Kind));
        Assert.Equal("orders-db: no good backup in weekly period 2026-W38 (12 weekly backups must be kept)", gap.Detail);
    }

    [Fact]
    public void A_missing_night_within_the_dailies_is_a_daily_gap_only()
    {
        var backups = Nightly(t => t.Date == new DateTime(2026, 10, 20));

        Assert.Equal(["daily 2026-10-20"], BackupChecks.RetentionGaps(Gfs, backups, Now).Select(f => $"{f.Kind} {f.Detail.Split(' ')[7]}"));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(300, false)]
    [InlineData(360, false)]
    [InlineData(361, true)]
    public void A_five_minute_wal_is_overdue_after_five_minutes_plus_grace(int secondsSinceLast, bool overdue)
    {
        var policy = Policy("""
            backup_policies:
              - {name: orders-wal, grace: 1m, kinds: [{kind: wal, every: 5m}]}
            """);
        var last = new Dictionary<string, DateTimeOffset> { ["wal"] = Now };

        var findings = BackupChecks.Overdue(policy, last, Now.AddDays(-1), Now.AddSeconds(secondsSinceLast)).ToList();

        Assert.Equal(overdue, findings.Count == 1);
    }
}

/// <summary>The size-anomaly, verification and restore-drill decisions, as tables of cases.</summary>
public sealed class BackupQualityCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static BackupPolicy Policy(string yaml) => BackupPolicyRules.Resolve(
        Vigil.Configuration.ConfigLoader.Parse("vigil.yaml", yaml, new System.Collections.Hashtable()) is { IsValid: true } loaded
            ? loaded.Config.BackupPolicies[0]
            : throw new InvalidOperationException("invalid policy"));

    private static readonly BackupPolicy Sized = Policy("""
        backup_policies:
          - {name: orders-db, size_anomaly_ratio: 2, size_anomaly_window: 5, kinds: [{kind: full, every: 1d}]}
        """);

    private static IEnumerable<BackupSize> Nightly(params long[] sizesOldestFirst) =>
        sizesOldestFirst.Select((size, i) => new BackupSize("full", Now.AddDays(i - sizesOldestFirst.Length), size));

    [Theory]
    [InlineData(new long[] { 100, 100, 100, 100, 100, 100 }, false)]
    [InlineData(new long[] { 100, 100, 100, 100, 100, 200 }, false)] // exactly 2x is not more than 2x
    [InlineData(new long[] { 100, 100, 100, 100, 100, 201 }, true)]
    [InlineData(new long[] { 100, 100, 100, 100, 100, 49 }, true)]
    [InlineData(new long[] { 100, 100, 100, 100, 100, 50 }, false)]
    [InlineData(new long[] { 100, 100, 49 }, false)] // fewer than 3 earlier backups: not judged
    [InlineData(new long[] { 300, 300, 300, 300, 300, 300, 90, 110, 100, 100, 100, 400 }, true)] // only the 5 before count: median 100, not 300
    [InlineData(new long[] { 10, 10, 10, 10, 10, 10, 90, 110, 100, 100, 100, 100 }, false)]
    public void The_newest_backup_is_compared_with_the_median_of_the_window_before_it(long[] sizes, bool anomaly)
    {
        var findings = BackupChecks.SizeAnomalies(Sized, Nightly(sizes)).ToList();

        Assert.Equal(anomaly, findings.Count == 1);
        Assert.All(findings, f => Assert.Equal(("BackupSizeAnomaly", "full"), (f.Alert, f.Kind)));
    }

    [Fact]
    public void A_backup_a_tenth_of_its_usual_size_is_named_with_both_sizes()
    {
        var finding = Assert.Single(BackupChecks.SizeAnomalies(Sized, Nightly(10L << 30, 10L << 30, 11L << 30, 1L << 30)));

        Assert.Equal("orders-db: the last full backup is 1 GiB, the median of the 3 before it 10 GiB (more than 2x off)", finding.Detail);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two() =>
        Assert.Equal((2.5, 3.0), (BackupChecks.Median([4, 1, 3, 2]), BackupChecks.Median([5, 1, 3])));

    [Theory]
    [InlineData(null, null, 0, new string[0])]
    [InlineData(null, null, 8, new[] { "BackupVerificationMissing" })] // 7d + grace (16h48m) from watching
    [InlineData(true, 1, 6, new string[0])]
    [InlineData(true, 1, 9, new[] { "BackupVerificationMissing" })]
    [InlineData(false, 1, 2, new[] { "BackupVerificationFailed" })]
    public void Verification_is_missing_after_its_period_plus_grace_and_a_failed_one_alerts(bool? lastSucceeded, int? lastDaysAgo, int daysLater, string[] alerts)
    {
        var policy = Policy("""
            backup_policies:
              - {name: orders-db, verify_every: 7d, kinds: [{kind: full, every: 1d}]}
            """);
        var last = lastSucceeded is { } ok ? new LastRun(null, Now.AddDays(-lastDaysAgo!.Value), ok) : null;
        var lastGood = last is { Succeeded: true } ? last.FinishedAt : (DateTimeOffset?)null;

        var findings = BackupChecks.Verifications(policy, last, lastGood, Now, Now.AddDays(daysLater)).Select(f => f.Alert);

        Assert.Equal(alerts, findings);
    }

    [Fact]
    public void A_seventy_minute_drill_against_a_one_hour_rto_is_a_breach_and_a_fifty_minute_one_is_not()
    {
        var policy = Policy("""
            backup_policies:
              - {name: orders-db, rto: 1h, kinds: [{kind: full, every: 1d}]}
            """);
        var slow = new LastRun(Now.AddMinutes(-70), Now, true);
        var fast = new LastRun(Now.AddMinutes(-50), Now, true);

        var breach = Assert.Single(BackupChecks.Drills(policy, slow, slow.FinishedAt, Now, Now));
        Assert.Equal(("BackupRtoBreach", "critical", "orders-db: the last restore drill took 1h10m, longer than the RTO of 1h"), (breach.Alert, breach.Severity, breach.Detail));
        Assert.Empty(BackupChecks.Drills(policy, fast, fast.FinishedAt, Now, Now));
        Assert.Equal(["BackupDrillFailed"], BackupChecks.Drills(policy, fast with { Succeeded = false }, null, Now, Now).Select(f => f.Alert));
    }

    [Theory]
    [InlineData("quarterly", 92, false)]
    [InlineData("quarterly", 101, false)] // 92d + 10% grace (9d4h48m)
    [InlineData("quarterly", 102, true)]
    [InlineData("weekly", 8, true)]
    [InlineData("0 9 1 * *", 30, false)] // cron: the 1st of each month
    [InlineData("0 9 1 * *", 40, true)]
    public void A_drill_schedule_becomes_overdue_after_its_period_plus_grace(string schedule, int daysSinceLastDrill, bool overdue)
    {
        var policy = Policy($$"""
            backup_policies:
              - {name: orders-db, drill_schedule: "{{schedule}}", kinds: [{kind: full, every: 1d}]}
            """);
        var last = new LastRun(Now.AddHours(-1), Now, true);

        var findings = BackupChecks.Drills(policy, last, last.FinishedAt, Now.AddDays(-500), Now.AddDays(daysSinceLastDrill)).ToList();

        Assert.Equal(overdue ? ["BackupDrillOverdue"] : [], findings.Select(f => f.Alert));
    }
}
