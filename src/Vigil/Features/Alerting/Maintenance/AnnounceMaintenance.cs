namespace Vigil.Features.Alerting.Maintenance;

/// <summary>A maintenance window's notices: alerts that say it is scheduled and that it started.</summary>
public static class AnnounceMaintenance
{
    /// <summary>The <c>category</c> label of the notices; a window never mutes them.</summary>
    public const string Category = "maintenance";
}
