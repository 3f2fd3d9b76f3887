using Microsoft.EntityFrameworkCore;
using Vigil.Features.Slos;

namespace Vigil.Features.Incidents;

/// <summary>The incident as the API and console show it.</summary>
public static class IncidentDetails
{
    public sealed record SummaryView(
        string Id, string Title, string Severity, string Status, string Source, string? Commander, IReadOnlyList<string> Responders,
        IReadOnlyList<AffectedService> Services, DateTimeOffset OpenedAt, string? OpenedBy, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy,
        DateTimeOffset? ResolvedAt, string? ResolvedBy, DateTimeOffset UpdatedAt, DateTimeOffset? NextUpdateDueAt,
        string Type, string Visibility, string? PublicTitle);

    public sealed record TimelineRow(DateTimeOffset At, string Kind, string? Actor, string Text);

    /// <param name="PublicText">What the status page shows for a public update.</param>
    public sealed record UpdateRow(DateTimeOffset At, string Status, string Body, bool Public, string? PublicText, string? Author, IReadOnlyList<string> Channels);

    /// <param name="TimeToAcknowledgeSeconds">Acknowledged − opened (business time when the severity counts business hours).</param>
    /// <param name="BudgetConsumed">Error budget of the affected services' SLOs the incident consumed, keyed "service/slo".</param>
    public sealed record DetailView(
        SummaryView Incident, string? Description, double? TimeToAcknowledgeSeconds, double? TimeToResolveSeconds, IReadOnlyList<SlaTimer> Sla,
        IReadOnlyList<TimelineRow> Timeline, IReadOnlyList<UpdateRow> Updates, IReadOnlyDictionary<string, double> BudgetConsumed);

    public static object Summary(Incident i) => SummaryOf(i);

    public static SummaryView SummaryOf(Incident i) => new(
        i.HumanId, i.Title, i.Severity, i.Status, i.Source, i.Commander, i.Responders,
        [.. i.Services.Select(s => new AffectedService(s.Service, s.Impact))], i.OpenedAt, i.OpenedBy, i.AcknowledgedAt, i.AcknowledgedBy,
        i.ResolvedAt, i.ResolvedBy, i.UpdatedAt, i.NextUpdateDueAt, i.Type, i.Visibility, i.PublicTitle);

    /// <summary><c>GET /api/incidents/{id}</c>.</summary>
    public static async Task<IResult> Handle(string id, IncidentWorkspace work, CancellationToken cancellationToken) =>
        await LoadAsync(work, id, cancellationToken) is { } view ? TypedResults.Ok(view) : Hosting.Problems.NotFound($"no incident {id}");

    public static async Task<DetailView?> LoadAsync(IncidentWorkspace work, string id, CancellationToken cancellationToken)
    {
        var db = work.Db;
        var incident = await db.Set<Incident>().AsNoTracking().SingleOrDefaultAsync(i => i.HumanId == id, cancellationToken);
        if (incident is null)
        {
            return null;
        }
        var timeline = await db.Set<IncidentEvent>().AsNoTracking().Where(e => e.IncidentId == incident.Id).OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new TimelineRow(e.At, e.Kind, e.Actor, e.Text)).ToListAsync(cancellationToken);
        var updates = (await db.Set<IncidentUpdate>().AsNoTracking().Where(u => u.IncidentId == incident.Id).ToListAsync(cancellationToken))
            .OrderByDescending(u => u.At).Select(u => new UpdateRow(u.At, u.Status, u.Body, u.Public, u.PublicText, u.Author, u.Channels)).ToList();
        var now = work.Now;
        var settings = work.Settings;
        var calendar = work.CalendarFor(incident.Severity);
        var sla = SlaClock.Evaluate(incident.OpenedAt, incident.AcknowledgedAt, incident.ResolvedAt, settings.Severity(incident.Severity), calendar, settings.SlaWarning, now);
        var budget = new Dictionary<string, double>(StringComparer.Ordinal);
        if (work.Slos is { } slos)
        {
            foreach (var service in incident.Services.Select(s => s.Service).Distinct(StringComparer.Ordinal))
            {
                foreach (var (slo, consumed) in await slos.BudgetConsumedAsync(service, incident.OpenedAt, incident.ResolvedAt ?? now, cancellationToken))
                {
                    budget[$"{service}/{slo}"] = consumed;
                }
            }
        }
        return new DetailView(
            SummaryOf(incident), incident.Description,
            incident.AcknowledgedAt is { } ack ? SlaClock.Between(incident.OpenedAt, ack, calendar).TotalSeconds : null,
            incident.ResolvedAt is { } resolved ? SlaClock.Between(incident.OpenedAt, resolved, calendar).TotalSeconds : null,
            sla, timeline, updates, budget);
    }
}
