namespace Vigil.Features.Incidents;

/// <summary>
/// <c>PUT /api/incidents/{id}/visibility</c>: publishes an incident to the status pages under a
/// public title, takes it off them again, or changes its type. Incidents are private until
/// someone publishes them; security incidents and drills can never be published (marking a
/// public incident as security takes it off the pages).
/// </summary>
public static class PublishIncident
{
    public sealed class Request
    {
        /// <summary>private or public; unchanged when absent.</summary>
        public string? Visibility { get; set; }
        /// <summary>The title the status page shows; required for public.</summary>
        public string? PublicTitle { get; set; }
        /// <summary>incident, security or drill; unchanged when absent.</summary>
        public string? Type { get; set; }
    }

    public static async Task<IResult> Handle(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, body, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IncidentOutcome> RunAsync(IncidentWorkspace work, string id, Request? body, string actor, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return IncidentOutcome.Invalid("body", "a JSON body with visibility, public_title or type is required");
        }
        if (await work.FindAsync(id, cancellationToken) is not { } incident)
        {
            return IncidentOutcome.Missing(id);
        }
        var type = body.Type ?? incident.Type;
        // Marking an incident as security or a drill takes it off the pages without a second request.
        var visibility = body.Visibility ?? (type != IncidentType.Incident ? IncidentVisibility.Private : incident.Visibility);
        var title = body.PublicTitle is null ? incident.PublicTitle : string.IsNullOrWhiteSpace(body.PublicTitle) ? null : body.PublicTitle.Trim();
        if (IncidentVisibility.Check(type, visibility, title) is { } refused)
        {
            return IncidentOutcome.Invalid(refused.Field, refused.Reason);
        }
        var changes = new List<string>();
        if (type != incident.Type)
        {
            changes.Add($"type {incident.Type} → {type}");
        }
        if (visibility != incident.Visibility)
        {
            changes.Add(visibility == IncidentVisibility.Public ? "published to the status pages" : "taken off the status pages");
        }
        if (title != incident.PublicTitle)
        {
            changes.Add(title is null ? "public title removed" : $"public title \"{title}\"");
        }
        if (changes.Count == 0)
        {
            return IncidentOutcome.Done(incident);
        }
        incident.Type = type;
        incident.Visibility = visibility;
        incident.PublicTitle = title;
        work.Record(incident, "visibility", actor, Capitalise(string.Join("; ", changes)));
        work.Audit.Record("change_visibility", "incident", incident.HumanId, new { type, visibility, public_title = title });
        await work.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }

    private static string Capitalise(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
