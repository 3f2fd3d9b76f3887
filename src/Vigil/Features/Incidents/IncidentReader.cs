namespace Vigil.Features.Incidents;

/// <summary>
/// Impact of an incident on one service, in the words of the Statuspage API's component
/// statuses, so the status page shows it without translation.
/// </summary>
public static class Impact
{
    public const string None = "operational";
    public const string Degraded = "degraded_performance";
    public const string PartialOutage = "partial_outage";
    public const string MajorOutage = "major_outage";

    public static IReadOnlyList<string> All { get; } = [None, Degraded, PartialOutage, MajorOutage];
}

/// <param name="Service">The catalog service's name.</param>
/// <param name="Impact">One of <see cref="Incidents.Impact"/>.</param>
public sealed record AffectedService(string Service, string Impact);

/// <param name="Status">The lifecycle state the update was posted in (investigating, identified, monitoring, resolved, ...).</param>
/// <param name="Public">Whether it was posted to the status page (internal notes are not).</param>
/// <param name="Body">The update as the status page shows it: the person's own words, never the internal template.</param>
public sealed record IncidentUpdateView(string Status, string Body, DateTimeOffset At, bool Public);

/// <summary>An incident as other areas see it (the status page, SLO reports).</summary>
/// <param name="Id">The human ID, e.g. <c>INC-2026-001</c>.</param>
/// <param name="Severity">The severity's name in the configured scheme (P1..P4 by default).</param>
/// <param name="Status">triggered, acknowledged, investigating, identified, monitoring or resolved.</param>
/// <param name="Public">Published to the status pages (see <see cref="PublishIncident"/>); a private incident is on no page.</param>
/// <param name="PublicTitle">The title status pages show.</param>
public sealed record IncidentView(
    string Id,
    string Title,
    string Severity,
    string Status,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<AffectedService> Services,
    IReadOnlyList<IncidentUpdateView> Updates,
    bool Public = false,
    string? PublicTitle = null);

/// <summary>The incidents area's read model for other areas; registered by the incidents area.</summary>
public interface IIncidentReader
{
    /// <summary>Every incident open now, and every incident resolved at or after <paramref name="resolvedSince"/>, newest first.</summary>
    Task<IReadOnlyList<IncidentView>> ListAsync(DateTimeOffset resolvedSince, CancellationToken cancellationToken);
}
