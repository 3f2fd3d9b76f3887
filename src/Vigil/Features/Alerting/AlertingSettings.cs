using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;

namespace Vigil.Features.Alerting;

/// <summary>The <c>alerting:</c> section of vigil.yaml: where alerts come from (rule files, the seeds' short-form rules, monitor rules, inbound integrations).</summary>
public sealed class AlertingSettings
{
    /// <summary>How often rule groups without their own <c>interval</c> are evaluated (Prometheus's <c>global.evaluation_interval</c>).</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Prometheus rule files, paths or globs relative to vigil.yaml's directory.</summary>
    public List<string> RuleFiles { get; set; } = [];

    /// <summary>Labels added to every alert sent by rule evaluation, and <c>$externalLabels</c> in templates.</summary>
    public Dictionary<string, string> ExternalLabels { get; set; } = [];

    /// <summary>Vigil's public address: <c>$externalURL</c> in templates and the base of each alert's generatorURL.</summary>
    public string? ExternalUrl { get; set; }

    /// <summary>Names usable in a short-form <c>condition</c>, each a PromQL expression; they add to and override <see cref="MetricAliases.Defaults"/>.</summary>
    public Dictionary<string, string> Metrics { get; set; } = [];

    /// <summary>
    /// The seeds' short form: <c>condition: error_rate &gt; 5%</c>, <c>duration: 5 minutes</c>,
    /// <c>severity</c>, <c>channels</c>; a list of rules with <c>name</c>, or a mapping from each
    /// rule's name to the rest, as the operators' guides write them.
    /// </summary>
    public List<ShortRuleDefinition> Rules { get; set; } = [];

    /// <summary>How long after a restart an alert whose <c>for</c> was interrupted still gets to fire (Prometheus's <c>--rules.alert.for-grace-period</c>).</summary>
    public TimeSpan ForGracePeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest downtime after which alert state is still restored (Prometheus's <c>--rules.alert.for-outage-tolerance</c>).</summary>
    public TimeSpan ForOutageTolerance { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a firing alert is sent again (Prometheus's <c>--rules.alert.resend-delay</c>).</summary>
    public TimeSpan ResendDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Alerts raised by monitors without PromQL: down, heartbeat missed, certificate expiring.</summary>
    public MonitorRuleSettings MonitorRules { get; set; } = new();

    /// <summary>Senders that post alerts to Vigil, each with its own token (Alertmanager API v2, PagerDuty Events v2, webhooks).</summary>
    public List<Inbound.IntegrationDefinition> Integrations { get; set; } = [];

    /// <summary>The rule groups read from <see cref="RuleFiles"/> and <see cref="Rules"/> when the configuration was loaded.</summary>
    [ConfigIgnore]
    public IReadOnlyList<RuleGroup> LoadedGroups { get; set; } = [];
}

/// <summary>One short-form rule (seeds' "Alert Configuration"), compiled to a Prometheus alerting rule.</summary>
[ConfigKeyedByName]
public sealed class ShortRuleDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary><c>NAME OP NUMBER[UNIT]</c>, e.g. <c>error_rate &gt; 5%</c>, <c>response_time_p95 &gt; 2000ms</c>.</summary>
    public string? Condition { get; set; }
    /// <summary>A PromQL expression instead of a condition.</summary>
    public string? Expr { get; set; }
    /// <summary>How long the condition must hold: <c>5 minutes</c>, <c>5m</c>, <c>immediate</c>.</summary>
    public string? Duration { get; set; }
    public string? Severity { get; set; }
    public List<string> Channels { get; set; } = [];
    public string? Service { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public string? Runbook { get; set; }
}

/// <summary>
/// <c>alerting.monitor_rules</c>: <c>MonitorDown</c> when a monitor is down (after its
/// <c>retries</c>: "down for N consecutive checks"), <c>HeartbeatMissed</c> when a heartbeat is,
/// <c>CertificateExpiring</c> when a TLS check sees fewer than <see cref="CertificateExpiryDays"/> days left.
/// </summary>
public sealed class MonitorRuleSettings
{
    public bool Enabled { get; set; } = true;
    /// <summary>The <c>severity</c> label of MonitorDown and HeartbeatMissed.</summary>
    public string Severity { get; set; } = "critical";
    /// <summary>The <c>severity</c> label of HeartbeatMissed; null for <see cref="Severity"/>. A monitor's own <c>severity</c> wins over both.</summary>
    public string? HeartbeatSeverity { get; set; }
    /// <summary>Days left below which CertificateExpiring fires; 0 turns it off.</summary>
    public int CertificateExpiryDays { get; set; } = 14;
    /// <summary>The <c>severity</c> label of CertificateExpiring.</summary>
    public string CertificateSeverity { get; set; } = "warning";
}
