namespace Vigil.Features.Alerting.Routing;

/// <summary>The <c>routing:</c> section of vigil.yaml: Alertmanager's routing tree, inhibition rules and resolve timeout.</summary>
public sealed class RoutingSettings
{
    /// <summary>
    /// How long an alert sent without an end time stays firing unless it is sent again
    /// (Alertmanager's <c>global.resolve_timeout</c>, default 5m).
    /// </summary>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How long an alert's history (received, notified, resolved) is kept; older lines are deleted.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The base of links in notifications (Alertmanager's <c>--web.external-url</c>), e.g. <c>https://vigil.example.com</c>.</summary>
    public string ExternalUrl { get; set; } = "";

    /// <summary>
    /// Alerts of a service whose catalog dependency has a firing outage alert (see
    /// <see cref="DependencyRules"/>) are suppressed and named in the dependency's alert instead of
    /// paging on their own.
    /// </summary>
    public bool DependencySuppression { get; set; } = true;

    /// <summary>
    /// Which alerts of a needed service (source) suppress which alerts of the services that need it
    /// (target); empty means <see cref="DefaultDependencyRules"/>. Each has inhibit_rules' keys; the
    /// catalog's dependency between the two services takes the place of an equal <c>service</c>.
    /// </summary>
    public List<InhibitRuleSettings> DependencyRules { get; set; } = [];

    /// <summary>
    /// Only outages suppress: alerts named <c>...Down</c> (MonitorDown, ServiceDown, InstanceDown) or
    /// labelled <c>outage="true"</c>. Never suppressed: security and certificate alerts, maintenance
    /// notices and informational severities — they are not symptoms of the dependency's outage.
    /// </summary>
    public static IReadOnlyList<InhibitRuleSettings> DefaultDependencyRules { get; } =
    [
        new() { SourceMatchers = ["alertname=~\".+Down\""], TargetMatchers = [.. DefaultDependencyTargets] },
        new() { SourceMatchers = ["outage=\"true\""], TargetMatchers = [.. DefaultDependencyTargets] },
    ];

    private static string[] DefaultDependencyTargets =>
        ["category!~\"security|certificates?|maintenance\"", "alertname!~\".*Certificate.*\"", "severity!~\"info|none\""];

    public IReadOnlyList<InhibitRuleSettings> EffectiveDependencyRules => DependencyRules.Count > 0 ? DependencyRules : DefaultDependencyRules;

    /// <summary>
    /// Maintenance windows send notices through the tree: <c>MaintenanceScheduled</c> when one is
    /// created or changed, <c>MaintenanceStarted</c> when it opens (<c>category="maintenance"</c>, <c>severity="info"</c>).
    /// </summary>
    public bool MaintenanceNotices { get; set; }

    /// <summary>The root of the routing tree; without one every alert goes nowhere.</summary>
    public RouteSettings? Route { get; set; }

    public List<InhibitRuleSettings> InhibitRules { get; set; } = [];

    /// <summary>Named recurring periods for the routes' <c>mute_time_intervals</c> and <c>active_time_intervals</c>.</summary>
    public List<TimeIntervalSettings> TimeIntervals { get; set; } = [];
}

/// <summary>
/// One node of the routing tree, with Alertmanager's keys (<c>config/config.go</c> <c>Route</c>).
/// Unset keys are inherited from the parent (<c>dispatch/route.go</c> <c>NewRoute</c>); the root's
/// defaults are Alertmanager's: group_wait 30s, group_interval 5m, repeat_interval 4h.
/// </summary>
public sealed class RouteSettings
{
    /// <summary>A channel name (<c>channels[].name</c>).</summary>
    public string? Receiver { get; set; }
    /// <summary>Label names to group by; <c>...</c> groups by all labels.</summary>
    public List<string>? GroupBy { get; set; }
    public TimeSpan? GroupWait { get; set; }
    public TimeSpan? GroupInterval { get; set; }
    public TimeSpan? RepeatInterval { get; set; }
    /// <summary>Alertmanager matchers, all of which must match: <c>severity="critical"</c>, <c>service=~"api|web"</c>.</summary>
    public List<string> Matchers { get; set; } = [];
    /// <summary>Keep looking at later sibling routes after this one matched.</summary>
    public bool Continue { get; set; }
    public List<RouteSettings> Routes { get; set; } = [];
    /// <summary>
    /// A resolved notification reaches this receiver for every alert it was told was firing, even
    /// when the alert was silenced, inhibited or in maintenance since (Vigil's addition; default true).
    /// </summary>
    public bool? SendResolvedAlways { get; set; }
    /// <summary>Notifications of this route ask the incidents area to open an incident (inherited).</summary>
    public bool? OpenIncident { get; set; }
    /// <summary>Names of <c>routing.time_intervals</c> during which this route sends nothing (not inherited; not on the root).</summary>
    public List<string> MuteTimeIntervals { get; set; } = [];
    /// <summary>Names of <c>routing.time_intervals</c> outside which this route sends nothing (not inherited; not on the root).</summary>
    public List<string> ActiveTimeIntervals { get; set; } = [];
}

/// <summary>
/// Alertmanager's <c>inhibit_rules</c> entry: while an alert matching <see cref="SourceMatchers"/>
/// fires, alerts matching <see cref="TargetMatchers"/> with the same values of the
/// <see cref="Equal"/> labels are muted.
/// </summary>
public sealed class InhibitRuleSettings
{
    public List<string> SourceMatchers { get; set; } = [];
    public List<string> TargetMatchers { get; set; } = [];
    public List<string> Equal { get; set; } = [];

    // Alertmanager's older forms, still accepted there (config.InhibitRule: "will be deprecated"):
    // label → value (equality) and label → regular expression; they add to the matchers above.
    public Dictionary<string, string> SourceMatch { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> SourceMatchRe { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> TargetMatch { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> TargetMatchRe { get; set; } = new(StringComparer.Ordinal);
}
