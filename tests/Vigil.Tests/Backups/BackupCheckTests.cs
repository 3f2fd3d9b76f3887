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
