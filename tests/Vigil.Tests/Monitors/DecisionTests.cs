using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Health;
using Vigil.Features.Monitors.Heartbeats;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Features.Monitors.Uptime;
using static Vigil.Features.Monitors.MonitorStatus;

namespace Vigil.Tests.Monitors;

/// <summary>The pure decisions: tables of cases.</summary>
public sealed class DecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Interval Day = new(T0, T0.AddHours(24));

    [Fact]
    public void Uptime_with_36_minutes_down_in_24_hours_is_exactly_97_5_percent()
    {
        StatePoint[] history = [new(T0.AddDays(-1), Up), new(T0.AddHours(10), Down), new(T0.AddHours(10).AddMinutes(36), Up)];

        var summary = UptimeCalculator.Compute(history, Day, [], null, true, VigilDowntime.Unknown);

        Assert.Equal(97.5, summary.Percent);
        Assert.Equal(TimeSpan.FromMinutes(36), summary.Down);
    }

    [Fact]
    public void Degraded_time_counts_as_up_and_unknown_time_counts_neither_way()
    {
        StatePoint[] history = [new(T0.AddHours(12), Degraded), new(T0.AddHours(18), Down)];

        var summary = UptimeCalculator.Compute(history, Day, [], null, true, VigilDowntime.Unknown);

        Assert.Equal(TimeSpan.FromHours(12), summary.Unknown);
        Assert.Equal(50.0, summary.Percent);
    }

    [Fact]
    public void Downtime_inside_a_maintenance_window_is_excluded_unless_configured_otherwise()
    {
        StatePoint[] history = [new(T0, Up), new(T0.AddHours(2), Down), new(T0.AddHours(3), Up)];
        Interval[] maintenance = [new(T0.AddHours(2), T0.AddHours(3))];

        var excluded = UptimeCalculator.Compute(history, Day, maintenance, null, true, VigilDowntime.Unknown);
        var counted = UptimeCalculator.Compute(history, Day, maintenance, null, false, VigilDowntime.Unknown);

        Assert.Equal(100.0, excluded.Percent);
        Assert.Equal(TimeSpan.FromHours(1), excluded.Maintenance);
        Assert.Equal(100.0 * 23 / 24, counted.Percent);
    }

    [Fact]
    public void Time_when_vigil_was_not_running_is_unknown_not_down()
    {
        StatePoint[] history = [new(T0, Down)];
        Interval[] running = [new(T0, T0.AddHours(6)), new(T0.AddHours(18), T0.AddHours(24))];

        var unknown = UptimeCalculator.Compute(history, Day, [], running, true, VigilDowntime.Unknown);
        var lastState = UptimeCalculator.Compute(history, Day, [], running, true, VigilDowntime.LastState);

        Assert.Equal((TimeSpan.FromHours(12), TimeSpan.FromHours(12)), (unknown.Down, unknown.Unknown));
        Assert.Equal(TimeSpan.FromHours(24), lastState.Down);
    }

    [Fact]
    public void Daily_bars_cover_each_utc_day_up_to_now()
    {
        StatePoint[] history = [new(T0, Up), new(T0.AddDays(1).AddHours(12), Down)];

        var days = UptimeCalculator.Daily(history, T0.AddDays(2).AddHours(6), 3, [], null, true, VigilDowntime.Unknown);

        Assert.Equal([100.0, 50.0, 0.0], days.Select(d => d.Summary.Percent!.Value));
        Assert.Equal(new DateOnly(2026, 11, 3), days[^1].Day);
    }

    [Theory]
    [InlineData(Up, 0, Down, 2, Up, 1, false)]
    [InlineData(Up, 2, Down, 2, Down, 3, true)]
    [InlineData(Down, 3, Up, 2, Up, 0, true)]
    [InlineData(Up, 1, Up, 2, Up, 0, false)]
    [InlineData(Unknown, 0, Down, 0, Down, 1, true)]
    [InlineData(Up, 0, Degraded, 2, Degraded, 0, true)]
    public void Failures_count_only_after_the_retries(MonitorStatus current, int failures, MonitorStatus result, int retries, MonitorStatus expected, int expectedFailures, bool changed)
    {
        Assert.Equal(new Transition(expected, expectedFailures, changed), MonitorTransition.Next(current, failures, result, retries));
    }

    [Fact]
    public void Start_times_spread_over_the_interval_and_stay_the_same_across_restarts()
    {
        var now = T0.AddSeconds(3.3);
        var interval = TimeSpan.FromSeconds(10);

        var starts = Enumerable.Range(0, 1000).Select(i => Schedule.FirstDue($"monitor-{i}", interval, now)).ToList();

        Assert.All(starts, s => Assert.InRange(s, now, now + interval));
        var perSecond = starts.GroupBy(s => (int)(s - now).TotalSeconds).Select(g => g.Count()).ToList();
        Assert.Equal(10, perSecond.Count);
        Assert.All(perSecond, n => Assert.InRange(n, 60, 140));
        Assert.Equal(Schedule.FirstDue("monitor-1", interval, now), Schedule.FirstDue("monitor-1", interval, now.AddSeconds(-20)).AddSeconds(20));
    }

    [Fact]
    public void Slots_missed_while_busy_are_skipped_not_run_in_a_burst()
    {
        var next = Schedule.NextDue(T0, TimeSpan.FromSeconds(10), T0.AddSeconds(35));

        Assert.Equal(T0.AddSeconds(40), next);
    }

    [Fact]
    public void A_monitor_taken_over_from_a_gone_replica_is_checked_at_once_only_when_its_last_known_check_is_an_interval_old()
    {
        var interval = TimeSpan.FromSeconds(10);
        var slot = Schedule.FirstDue("api", interval, T0);

        // The owner was last known alive 2 s after a slot it ran: 9 s later that check is not yet an interval old.
        Assert.False(Schedule.CheckOnTakeOver("api", interval, slot.AddSeconds(2), slot.AddSeconds(9)));
        // 10 s after it, it is: waiting for the next slot would leave the monitor unchecked for longer.
        Assert.True(Schedule.CheckOnTakeOver("api", interval, slot.AddSeconds(2), slot.AddSeconds(10)));
        // Last known alive just before a slot: that slot may not have run, the one before did.
        Assert.True(Schedule.CheckOnTakeOver("api", interval, slot.AddSeconds(-0.5), slot.AddSeconds(2)));
        // Last known alive exactly at a slot: it ran.
        Assert.False(Schedule.CheckOnTakeOver("api", interval, slot, slot.AddSeconds(2)));
    }

    private static HeartbeatPings Pings(DateTimeOffset? success = null, DateTimeOffset? start = null, DateTimeOffset? fail = null, string? log = null) =>
        new(T0, success, start, fail, log);

    [Fact]
    public void A_heartbeat_is_up_on_time_down_past_grace_and_down_after_a_failure_ping()
    {
        var period = TimeSpan.FromHours(1);
        var grace = TimeSpan.FromMinutes(5);

        var onTime = HeartbeatRules.Evaluate(Pings(success: T0.AddHours(1)), period, null, grace, null, T0.AddHours(2).AddMinutes(4));
        var late = HeartbeatRules.Evaluate(Pings(success: T0.AddHours(1)), period, null, grace, null, T0.AddHours(2).AddMinutes(6));
        var failed = HeartbeatRules.Evaluate(Pings(success: T0.AddHours(1), fail: T0.AddHours(2), log: "disk full"), period, null, grace, null, T0.AddHours(2));
        var slow = HeartbeatRules.Evaluate(Pings(success: T0, start: T0.AddMinutes(10)), period, null, grace, TimeSpan.FromMinutes(15), T0.AddMinutes(30));
        var waiting = HeartbeatRules.Evaluate(Pings(), period, null, grace, null, T0.AddMinutes(30));

        Assert.Equal(Up, onTime.Status);
        Assert.Equal((Down, "late: last ping 1h6m ago, expected by 2026-11-01 02:00:00Z (grace 5m)"), (late.Status, late.Reason));
        Assert.Equal((Down, "job reported failure at 2026-11-01 02:00:00Z: disk full"), (failed.Status, failed.Reason));
        Assert.Equal(Down, slow.Status);
        Assert.StartsWith("slow job", slow.Reason);
        Assert.Equal(Unknown, waiting.Status);
    }

    [Fact]
    public void A_cron_heartbeat_is_due_at_the_next_occurrence_plus_grace()
    {
        MonitorRules.TryCron("0 3 * * *", out var cron);

        var before = HeartbeatRules.Evaluate(Pings(success: T0.AddHours(3)), null, cron, TimeSpan.FromMinutes(30), null, T0.AddDays(1).AddHours(3).AddMinutes(29));
        var after = HeartbeatRules.Evaluate(Pings(success: T0.AddHours(3)), null, cron, TimeSpan.FromMinutes(30), null, T0.AddDays(1).AddHours(3).AddMinutes(31));

        Assert.Equal((Up, Down), (before.Status, after.Status));
    }

    private static MonitorHealth M(string name, MonitorStatus status, MonitorImpact? impact = null, ComponentResult[]? components = null, Dictionary<string, MonitorImpact>? impacts = null) =>
        new(name, status, impact, components ?? [], impacts);

    public static TheoryData<string, MonitorHealth[], DependencyHealth[], bool, ServiceStatus> RollupCases => new()
    {
        { "all up", [M("a", Up), M("b", Up)], [], false, ServiceStatus.Operational },
        { "one of two down", [M("a", Up), M("b", Down)], [], false, ServiceStatus.PartialOutage },
        { "all down", [M("a", Down), M("b", Down)], [], false, ServiceStatus.MajorOutage },
        { "declared impact", [M("a", Up), M("db", Down, MonitorImpact.MajorOutage)], [], false, ServiceStatus.MajorOutage },
        { "degraded", [M("a", Degraded)], [], false, ServiceStatus.Degraded },
        { "unknown counts for nothing", [M("a", Unknown), M("b", Up)], [], false, ServiceStatus.Operational },
        { "maintenance wins", [M("a", Down)], [], true, ServiceStatus.UnderMaintenance },
        { "critical dependency out", [M("a", Up)], [new("api", true, ServiceStatus.MajorOutage)], false, ServiceStatus.PartialOutage },
        { "optional dependency out", [M("a", Up)], [new("api", false, ServiceStatus.MajorOutage)], false, ServiceStatus.Degraded },
        {
            "database down means major outage",
            [M("health", Down, components: [new("database", Down, "disconnected")], impacts: new() { ["database"] = MonitorImpact.MajorOutage }), M("web", Up)],
            [], false, ServiceStatus.MajorOutage
        },
    };

    [Theory]
    [MemberData(nameof(RollupCases))]
    public void Service_status_rolls_up_from_monitors_and_dependencies(string _, MonitorHealth[] monitors, DependencyHealth[] dependencies, bool maintenance, ServiceStatus expected)
    {
        Assert.Equal(expected, ServiceHealth.Rollup(monitors, dependencies, maintenance).Status);
    }
}
