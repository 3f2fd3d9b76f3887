using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Vigil.Features.Incidents;

/// <summary>
/// <c>GET /api/incidents/metrics?since=...</c>: mean time to acknowledge and to resolve, SLA
/// breaches and incident counts per severity, per service and per month (UTC) — the same
/// business-hours counting as the incident's own timers.
/// </summary>
public static class IncidentMetrics
{
    /// <param name="MeanTimeToAcknowledgeSeconds">Over the incidents that were acknowledged; null when none was.</param>
    public sealed record Row(string Key, int Incidents, int Open, double? MeanTimeToAcknowledgeSeconds, double? MeanTimeToResolveSeconds, int ResponseBreaches, int ResolutionBreaches);

    public sealed record Report(DateTimeOffset Since, Row Total, IReadOnlyList<Row> BySeverity, IReadOnlyList<Row> ByService, IReadOnlyList<Row> ByMonth);

    public static async Task<IResult> Handle(DateTimeOffset? since, IncidentWorkspace work, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ComputeAsync(work, since ?? work.Now.AddYears(-1), cancellationToken));

    public static async Task<Report> ComputeAsync(IncidentWorkspace work, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var incidents = await work.Db.Set<Incident>().AsNoTracking().Where(i => i.OpenedAt >= since).ToListAsync(cancellationToken);
        var now = work.Now;
        var settings = work.Settings;
        var facts = incidents.Select(i => Measure(i, settings, now)).ToList();
        return new Report(
            since,
            Summarise("all", facts),
            [.. facts.GroupBy(f => f.Incident.Severity).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Summarise(g.Key, g))],
            [.. facts.SelectMany(f => f.Incident.Services.Select(s => (s.Service, f)).DefaultIfEmpty(("(none)", f))).GroupBy(x => x.Item1).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Summarise(g.Key, g.Select(x => x.f)))],
            [.. facts.GroupBy(f => f.Incident.OpenedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Summarise(g.Key, g))]);
    }

    private sealed record Fact(Incident Incident, TimeSpan? Tta, TimeSpan? Ttr, bool ResponseBreached, bool ResolutionBreached);

    private static Fact Measure(Incident incident, IncidentSettings settings, DateTimeOffset now)
    {
        var calendar = IncidentWorkspace.CalendarFor(settings, incident.Severity);
        var timers = SlaClock.Evaluate(incident.OpenedAt, incident.AcknowledgedAt, incident.ResolvedAt, settings.Severity(incident.Severity), calendar, settings.SlaWarning, now);
        return new Fact(
            incident,
            incident.AcknowledgedAt is { } ack ? SlaClock.Between(incident.OpenedAt, ack, calendar) : null,
            incident.ResolvedAt is { } resolved ? SlaClock.Between(incident.OpenedAt, resolved, calendar) : null,
            timers.Any(t => t.Target == "response" && t.Breached),
            timers.Any(t => t.Target == "resolution" && t.Breached));
    }

    private static Row Summarise(string key, IEnumerable<Fact> group)
    {
        var list = group.ToList();
        static double? Mean(IEnumerable<TimeSpan?> spans) => spans.Where(s => s is not null).Select(s => s!.Value.TotalSeconds).DefaultIfEmpty(double.NaN).Average() is var m && double.IsNaN(m) ? null : Math.Round(m, 1);
        return new Row(key, list.Count, list.Count(f => f.Incident.IsOpen), Mean(list.Select(f => f.Tta)), Mean(list.Select(f => f.Ttr)), list.Count(f => f.ResponseBreached), list.Count(f => f.ResolutionBreached));
    }
}
