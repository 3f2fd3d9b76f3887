namespace Vigil.Features.Alerting.Routing;

/// <summary>The <c>routing:</c> section of vigil.yaml: Alertmanager's routing tree, inhibition rules and resolve timeout.</summary>
public sealed class RoutingSettings
{
    /// <summary>
    /// How long an alert sent without an end time stays firing unless it is sent again
    /// (Alertmanager's <c>global.resolve_timeout</c>, default 5m).
    /// </summary>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>One entry of <c>maintenance_windows:</c>: a recurring or one-off window per service that mutes its alerts.</summary>
public sealed class MaintenanceWindowDefinition
{
    public string? Name { get; set; }
}
