using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Notifications;
using Vigil.Features.OnCall.Escalation;
using Vigil.Features.StatusPage;

namespace Vigil.Features.Incidents;

/// <summary>
/// Opens an incident for a firing notification of a route with <c>open_incident: true</c>, or —
/// when the alert group already has an open incident — attaches its new alerts to that one, so
/// related alerts make one incident, not one per alert. Each alert joins the timeline once.
/// </summary>
/// <remarks>Scoped: the dispatcher resolves it in its pass's scope, so paging resolves there too.</remarks>
public sealed class OpenIncidentFromAlerts(ConfigReloader config, StatusChanges changes, IServiceProvider services) : IIncidentOpener
{
    public async Task OpenAsync(VigilDbContext db, NotificationGroup notification, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = config.Current.Config.Incidents;
        var firing = notification.Firing.ToList();
        if (firing.Count == 0)
        {
            return;
        }
        var incident = await db.Set<Incident>().Where(i => i.GroupKey == notification.GroupKey && i.Status != IncidentStatus.Resolved)
            .OrderByDescending(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        var known = incident is null
            ? []
            : await db.Set<IncidentEvent>().Where(e => e.IncidentId == incident.Id && e.Kind == "alert" && e.Ref != null).Select(e => e.Ref!).ToHashSetAsync(cancellationToken);
        if (incident is null)
        {
            var severity = SeverityOf(settings, firing);
            var title = notification.CommonAnnotations.Get("summary") is { Length: > 0 } summary ? summary : notification.Title;
            var impact = severity == settings.EffectiveSeverities[0].Name ? Impact.MajorOutage : Impact.PartialOutage;
            var affected = firing.Select(a => a.Labels.Get("service")).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Select(s => new AffectedService(s, impact)).ToList();
            var workspaceLink = (settings.ExternalUrl ?? config.Current.Config.Routing.ExternalUrl).TrimEnd('/');
            incident = await OpenIncident.StartAsync(
                db, settings, services.GetService<IPaging>(),
                new OpenIncident.Fields(Truncate(title, 300), notification.CommonAnnotations.Get("description") is { Length: > 0 } d ? d : null, severity, affected, null, "alert", notification.GroupKey),
                $"route:{notification.Receiver}", i => $"{workspaceLink}/incidents/{i.HumanId}", now, cancellationToken);
        }
        foreach (var alert in firing.Where(a => !known.Contains(a.Fingerprint)))
        {
            var name = alert.Labels.Get("alertname");
            var summary = alert.Annotations.Get("summary");
            IncidentWorkspace.Record(db, incident, "alert", null, $"Alert {name} {NotificationGroup.FormatLabelSet(alert.Labels.Without("alertname"))} firing since {alert.StartsAt:u}{(summary.Length > 0 ? $": {summary}" : "")}", now, alert.Fingerprint);
        }
        // The dispatcher commits the incident with its notification; the status page renders it after that.
        AfterCommit.Add(db, changes.Raise);
    }

    /// <summary>The most severe severity any firing alert maps to through <c>incidents.severity_label</c>.</summary>
    public static string SeverityOf(IncidentSettings settings, IEnumerable<NotifiedAlert> alerts)
    {
        var order = settings.EffectiveSeverities.Select(s => s.Name!).ToList();
        return alerts.Select(a => settings.SeverityForAlert(a.Labels.Get(settings.SeverityLabel) is { Length: > 0 } v ? v : null))
            .OrderBy(s => order.IndexOf(s) is var i && i < 0 ? int.MaxValue : i).First();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
