using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Incidents;

namespace Vigil.Features.Deployments;

/// <summary>
/// Deployments on incident timelines, where an operator looks when something breaks: when an incident
/// opens, the deployments to its services (to any service when it names none) that started within
/// <c>deployments.incident_lookback</c> before; and a deployment that ends failed or rolled back while
/// an incident on its service is open. Each is a timeline row of kind <c>deployment</c> whose reference
/// is <c>deployment:ID</c>.
/// </summary>
public static class DeploymentsOnIncidents
{
    public const string Kind = "deployment";

    public static string Reference(Deployment d) => $"deployment:{d.Id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Adds the recent deployments to a just-opened incident's timeline, in the caller's unit of work.</summary>
    public static async Task RecordRecentAsync(VigilDbContext db, Incident incident, DeploymentSettings settings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - settings.IncidentLookbackSpan;
        var services = incident.Services.Select(s => s.Service).ToList();
        var query = db.Set<Deployment>().AsNoTracking().Where(d => (d.StartedAt ?? d.CreatedAt) >= since && (d.StartedAt ?? d.CreatedAt) <= now);
        if (services.Count > 0)
        {
            query = query.Where(d => services.Contains(d.Service));
        }
        var recent = await query.OrderBy(d => d.StartedAt ?? d.CreatedAt).ThenBy(d => d.Id).Take(20).ToListAsync(cancellationToken);
        foreach (var d in recent)
        {
            var before = ChangeIncidentStatus.Text(now - (d.StartedAt ?? d.CreatedAt));
            IncidentWorkspace.Record(db, incident, Kind, d.DeployedBy,
                $"Deployed {d.Version} of {d.Service} to {d.Environment} {before} before the incident opened ({d.Status.Replace('_', ' ')}, deployment #{d.Id})",
                now, Reference(d));
        }
    }

    /// <summary>A deployment that just became failed or rolled back: onto the timeline of each open incident on its service, in the caller's unit of work.</summary>
    public static async Task RecordOutcomeAsync(VigilDbContext db, Deployment d, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (d.Status is not (DeploymentStatus.Failed or DeploymentStatus.RolledBack))
        {
            return;
        }
        var incidents = await db.Set<Incident>()
            .Where(i => i.Status != IncidentStatus.Resolved && i.Services.Any(s => s.Service == d.Service))
            .ToListAsync(cancellationToken);
        var what = d.Status == DeploymentStatus.Failed
            ? $"Deployment of {d.Version} of {d.Service} to {d.Environment} failed (deployment #{d.Id})"
            : $"Deployment of {d.Version} of {d.Service} to {d.Environment} rolled back{(d.RolledBackTo is null ? "" : $" to {d.RolledBackTo}")} (deployment #{d.Id})";
        foreach (var incident in incidents)
        {
            IncidentWorkspace.Record(db, incident, Kind, actor, what, now, Reference(d));
        }
    }
}
