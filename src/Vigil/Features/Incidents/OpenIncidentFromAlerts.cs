using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Notifications;
using Vigil.Features.OnCall.Escalation;
using Vigil.Hosting;
using Vigil.Metrics;

namespace Vigil.Features.Incidents;

/// <summary>
/// Opens an incident for a firing notification of a route with <c>open_incident: true</c>, or
/// attaches its alerts to the incident already open for them: alerts with the same values of
/// <c>incidents.group_by</c> (default <c>service</c>) make one incident, whatever their alert name
/// or route. After that incident resolves, alerts that started before the resolution plus
/// <c>incidents.cooldown</c> join its timeline instead of opening (and paging for) a new one. Each
/// alert joins a timeline once.
/// </summary>
/// <remarks>Scoped: the dispatcher resolves it in its pass's scope, so paging resolves there too.</remarks>
public sealed class OpenIncidentFromAlerts(ConfigReloader config, StatusChanges changes, IServiceProvider services) : IIncidentOpener
{
    public async Task OpenAsync(VigilDbContext db, NotificationGroup notification, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = config.Current.Config.Incidents;
        var firing = notification.Firing.ToList();
        foreach (var batch in firing.GroupBy(a => IncidentKey(settings, a.Labels, notification.GroupKey), StringComparer.Ordinal))
        {
            var latest = await LatestAsync(db, batch.Key, cancellationToken);
            var known = latest is null ? [] : await AlertsOfAsync(db, latest, cancellationToken);
            var (attach, open) = Decide(latest is null ? null : new LatestIncident(latest.IsOpen, latest.ResolvedAt), [.. batch], known, settings.Cooldown);
            if (open.Count > 0)
            {
                latest = await StartAsync(db, settings, notification, open, batch.Key, firing.Count == open.Count, now, cancellationToken);
                await Deployments.DeploymentsOnIncidents.RecordRecentAsync(db, latest, config.Current.Config.Deployments, now, cancellationToken);
                attach = open;
            }
            foreach (var alert in attach)
            {
                var name = alert.Labels.Get("alertname");
                var summary = alert.Annotations.Get("summary");
                var after = latest!.IsOpen ? "" : " (after the incident was resolved; no new incident)";
                IncidentWorkspace.Record(db, latest, "alert", null, $"Alert {name} {NotificationGroup.FormatLabelSet(alert.Labels.Without("alertname"))} firing since {alert.StartsAt:u}{(summary.Length > 0 ? $": {summary}" : "")}{after}", now, alert.Fingerprint);
            }
        }
        // The dispatcher commits the incident with its notification; the status page renders it after that.
        AfterCommit.Add(db, changes.Raise);
    }

    /// <summary>The incident an alert belongs to: its values of <c>incidents.group_by</c>, or the route's alert group when it has none of them.</summary>
    public static string IncidentKey(IncidentSettings settings, Labels labels, string groupKey)
    {
        var values = Labels.From([.. settings.GroupBy.Select(n => new Label(n, labels.Get(n))).Where(l => l.Value.Length > 0)]);
        return settings.GroupBy.Count == 0 || values.Count == 0 ? groupKey : NotificationGroup.FormatLabelSet(values);
    }

    public sealed record LatestIncident(bool Open, DateTimeOffset? ResolvedAt);

    /// <summary>
    /// Which alerts join the latest incident of their key and which open a new one: those not on its
    /// timeline yet join an open incident; after it resolved, an alert that started before the resolution (during the
    /// incident — e.g. a burn-rate alert still firing after recovery) or within the cool-down after it
    /// joins the resolved one and pages nobody; the others open a new incident.
    /// </summary>
    public static (List<NotifiedAlert> Attach, List<NotifiedAlert> Open) Decide(LatestIncident? latest, IReadOnlyList<NotifiedAlert> alerts, ICollection<string> known, TimeSpan cooldown)
    {
        if (latest is null)
        {
            return ([], [.. alerts]);
        }
        if (latest.Open || latest.ResolvedAt is not { } resolved)
        {
            return ([.. alerts.Where(a => !known.Contains(a.Fingerprint))], []);
        }
        // An alert on the old timeline that fires again after the cool-down is a new outage.
        var quiet = resolved + cooldown;
        return ([.. alerts.Where(a => a.StartsAt < quiet && !known.Contains(a.Fingerprint))], [.. alerts.Where(a => a.StartsAt >= quiet)]);
    }

    /// <summary>The newest incident of the key, including one opened earlier in this pass (not saved yet).</summary>
    private static async Task<Incident?> LatestAsync(VigilDbContext db, string key, CancellationToken cancellationToken) =>
        db.ChangeTracker.Entries<Incident>().Where(e => e.State == EntityState.Added && e.Entity.GroupKey == key).Select(e => e.Entity).LastOrDefault()
        ?? await db.Set<Incident>().Where(i => i.GroupKey == key).OrderByDescending(i => i.Id).FirstOrDefaultAsync(cancellationToken);

    private static async Task<HashSet<string>> AlertsOfAsync(VigilDbContext db, Incident incident, CancellationToken cancellationToken)
    {
        var known = db.ChangeTracker.Entries<IncidentEvent>().Where(e => e.State == EntityState.Added && e.Entity.Incident == incident && e.Entity.Kind == "alert" && e.Entity.Ref != null)
            .Select(e => e.Entity.Ref!).ToHashSet(StringComparer.Ordinal);
        if (incident.Id != 0)
        {
            known.UnionWith(await db.Set<IncidentEvent>().Where(e => e.IncidentId == incident.Id && e.Kind == "alert" && e.Ref != null).Select(e => e.Ref!).ToListAsync(cancellationToken));
        }
        return known;
    }

    private async Task<Incident> StartAsync(
        VigilDbContext db, IncidentSettings settings, NotificationGroup notification, List<NotifiedAlert> alerts, string key, bool whole, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var severity = SeverityOf(settings, alerts);
        var annotations = whole ? notification.CommonAnnotations : alerts[0].Annotations;
        var title = annotations.Get("summary") is { Length: > 0 } summary ? summary : whole ? notification.Title : alerts[0].Labels.Get("alertname");
        var impact = severity == settings.EffectiveSeverities[0].Name ? Impact.MajorOutage : Impact.PartialOutage;
        var affected = alerts.Select(a => a.Labels.Get("service")).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Select(s => new AffectedService(s, impact)).ToList();
        var workspaceLink = (settings.ExternalUrl ?? config.Current.Config.Routing.ExternalUrl).TrimEnd('/');
        return await OpenIncident.StartAsync(
            db, settings, services.GetService<IPaging>(),
            new OpenIncident.Fields(Truncate(title, 300), annotations.Get("description") is { Length: > 0 } d ? d : null, severity, affected, null, "alert", key),
            $"route:{notification.Receiver}", i => $"{workspaceLink}/incidents/{i.HumanId}", now, cancellationToken);
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
