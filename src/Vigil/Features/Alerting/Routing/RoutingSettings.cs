namespace Vigil.Features.Alerting.Routing;

/// <summary>The <c>routing:</c> section of vigil.yaml: Alertmanager's routing tree, inhibition rules and resolve timeout.</summary>
public sealed class RoutingSettings;

/// <summary>One entry of <c>maintenance_windows:</c>: a recurring or one-off window per service that mutes its alerts.</summary>
public sealed class MaintenanceWindowDefinition
{
    public string? Name { get; set; }
}
