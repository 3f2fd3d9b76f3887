using Vigil.Features.Alerting;
using Vigil.Features.Alerting.MonitorRules;
using Vigil.Features.Monitors;

namespace Vigil.Tests.Monitors;

/// <summary>Issue 15, item 8: a monitor's alert carries the monitor's own severity, else its rule's, else the global one.</summary>
public class MonitorSeverityTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(MonitorType.Heartbeat, "info", null, "info")]          // the data-freshness heartbeat says so itself
    [InlineData(MonitorType.Heartbeat, null, "warning", "warning")]    // heartbeat_severity for every HeartbeatMissed
    [InlineData(MonitorType.Heartbeat, null, null, "critical")]        // else alerting.monitor_rules.severity
    [InlineData(MonitorType.Http, null, "warning", "critical")]        // heartbeat_severity is not MonitorDown's
    [InlineData(MonitorType.Http, "P3", "warning", "P3")]
    public void A_monitors_alert_takes_its_own_severity_then_its_rules_then_the_global_one(MonitorType type, string? own, string? heartbeatSeverity, string expected)
    {
        var change = new MonitorStateChanged("export-fresh", "warehouse", null, MonitorStatus.Up, MonitorStatus.Down, "late", At, type, own);
        var rules = new MonitorRuleSettings { Severity = "critical", HeartbeatSeverity = heartbeatSeverity };

        var alert = RaiseMonitorAlerts.AlertOf(change, RaiseMonitorAlerts.SeverityOf(change, rules), null);

        Assert.Equal(expected, alert.Labels.Get("severity"));
    }

    [Fact]
    public void A_blank_severity_is_refused_naming_the_field()
    {
        var errors = MonitorRules.Validate(new MonitorDefinition { Name = "x", Type = MonitorType.Heartbeat, Service = "api", Period = TimeSpan.FromHours(1), Severity = " " }, "monitors[0].", _ => []).ToList();

        Assert.Contains(errors, e => e.Path == "monitors[0].severity");
    }
}
