using Vigil.Features.Incidents;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Health;
using Vigil.Features.Monitors.Uptime;
using Vigil.Features.Slos;

namespace Vigil.Features.StatusPage;

/// <summary>Everything one status page shows at one moment; rendered to HTML, JSON and Atom without further reads.</summary>
public sealed record StatusSnapshot(
    StatusPageDefinition Page,
    DateTimeOffset At,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ComponentSnapshot> Components,
    IReadOnlyList<IncidentView> Incidents,
    IReadOnlyList<MaintenanceSnapshot> Maintenances)
{
    public string Url => Page.Host is { } host ? $"https://{host}" : $"/status/{Page.Name}";

    public string Title => Page.Title ?? Page.Name!;

    public IEnumerable<IncidentView> Active => Incidents.Where(i => i.ResolvedAt is null);

    /// <summary>Incidents resolved within the page's <c>show_resolved_for</c> (default 24 h): still on the front page.</summary>
    public IEnumerable<IncidentView> RecentlyResolved => Incidents.Where(i => i.ResolvedAt is { } r && r >= At - (Page.ShowResolvedFor ?? ReadStatusSnapshot.DefaultShowResolvedFor));

    public ServiceStatus Worst => Components.Count == 0 ? ServiceStatus.Operational : Components.Max(c => c.Status);
}

/// <param name="Uptime">The lowest 90-day uptime of the component's monitors, in percent; null without monitors or data.</param>
/// <param name="Days">90 bars, oldest first: per day the lowest uptime of its monitors.</param>
public sealed record ComponentSnapshot(
    string Id,
    string Name,
    string? Group,
    string? Description,
    int Position,
    ServiceStatus Status,
    DateTimeOffset UpdatedAt,
    IReadOnlySet<string> Services,
    double? Uptime,
    IReadOnlyList<GetUptime.DayBar> Days,
    IReadOnlyList<SloStanding> Slos);

/// <summary>One opening of a maintenance window that covers a service of the page.</summary>
public sealed record MaintenanceSnapshot(string Id, string Name, string? Comment, Interval When, DateTimeOffset CreatedAt, IReadOnlyList<string> ComponentIds)
{
    public bool InProgressAt(DateTimeOffset now) => When.Contains(now);
}

/// <summary>
/// A component's status, a function of what it stands for (documented in <c>docs/statuspage.md</c>):
/// the worst of its services' rolled-up statuses (which already say under maintenance, see
/// <see cref="ServiceHealth.Rollup"/>), its own monitors (down: major outage, degraded: degraded
/// performance, their service under maintenance: under maintenance; unknown and paused count for
/// nothing), and the impact of each open incident on its services.
/// </summary>
public static class ComponentStatus
{
    public sealed record MonitorInput(MonitorStatus Status, bool UnderMaintenance);

    public static ServiceStatus Of(IEnumerable<ServiceStatus> services, IEnumerable<MonitorInput> monitors, IEnumerable<string> incidentImpacts)
    {
        var worst = ServiceStatus.Operational;
        foreach (var status in services.Concat(monitors.Select(FromMonitor)).Concat(incidentImpacts.Select(FromImpact)))
        {
            worst = status > worst ? status : worst;
        }
        return worst;
    }

    private static ServiceStatus FromMonitor(MonitorInput m) => m.UnderMaintenance ? ServiceStatus.UnderMaintenance : m.Status switch
    {
        MonitorStatus.Down => ServiceStatus.MajorOutage,
        MonitorStatus.Degraded => ServiceStatus.Degraded,
        _ => ServiceStatus.Operational,
    };

    public static ServiceStatus FromImpact(string impact) => impact switch
    {
        Impact.MajorOutage => ServiceStatus.MajorOutage,
        Impact.PartialOutage => ServiceStatus.PartialOutage,
        Impact.Degraded => ServiceStatus.Degraded,
        _ => ServiceStatus.Operational,
    };

    /// <summary>The Statuspage API's component status word.</summary>
    public static string Word(ServiceStatus status) => status switch
    {
        ServiceStatus.UnderMaintenance => "under_maintenance",
        ServiceStatus.Degraded => "degraded_performance",
        ServiceStatus.PartialOutage => "partial_outage",
        ServiceStatus.MajorOutage => "major_outage",
        _ => "operational",
    };

    /// <summary>Statuspage's colours: operational green, degraded yellow, partial orange, major red, maintenance blue.</summary>
    public static string Colour(ServiceStatus status) => status switch
    {
        ServiceStatus.UnderMaintenance => "#3498db",
        ServiceStatus.Degraded => "#f1c40f",
        ServiceStatus.PartialOutage => "#e67e22",
        ServiceStatus.MajorOutage => "#e74c3c",
        _ => "#2fcc66",
    };

    /// <summary>The page's overall indicator and sentence, as Statuspage's <c>status</c> object has them.</summary>
    public static (string Indicator, string Description) Overall(ServiceStatus worst) => worst switch
    {
        ServiceStatus.MajorOutage => ("critical", "Major System Outage"),
        ServiceStatus.PartialOutage => ("major", "Partial System Outage"),
        ServiceStatus.Degraded => ("minor", "Minor Service Outage"),
        ServiceStatus.UnderMaintenance => ("maintenance", "Service Under Maintenance"),
        _ => ("none", "All Systems Operational"),
    };

    /// <summary>An incident's impact on the page in Statuspage's words (none, minor, major, critical): its worst impact on the page's services.</summary>
    public static string IncidentImpact(IncidentView incident, IReadOnlySet<string> services)
    {
        var worst = incident.Services.Where(s => services.Contains(s.Service)).Select(s => FromImpact(s.Impact)).DefaultIfEmpty(ServiceStatus.Operational).Max();
        return worst switch
        {
            ServiceStatus.MajorOutage => "critical",
            ServiceStatus.PartialOutage => "major",
            ServiceStatus.Degraded => "minor",
            _ => "none",
        };
    }

    /// <summary>Statuspage's incident statuses are investigating, identified, monitoring, resolved, postmortem; a triggered or acknowledged incident is being investigated.</summary>
    public static string IncidentStatus(string status) => status switch
    {
        "identified" or "monitoring" or "resolved" or "postmortem" => status,
        _ => "investigating",
    };
}
