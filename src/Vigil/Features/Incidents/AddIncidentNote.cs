namespace Vigil.Features.Incidents;

/// <summary><c>POST /api/incidents/{id}/notes</c>: a note on the timeline.</summary>
public static class AddIncidentNote
{
    public sealed class Request
    {
        public string? Text { get; set; }
    }

    public static async Task<IResult> Handle(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, body?.Text, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IncidentOutcome> RunAsync(IncidentWorkspace work, string id, string? text, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return IncidentOutcome.Invalid("text", "the note's text is required");
        }
        if (text.Length > 10_000)
        {
            return IncidentOutcome.Invalid("text", "at most 10000 characters");
        }
        if (await work.FindAsync(id, cancellationToken) is not { } incident)
        {
            return IncidentOutcome.Missing(id);
        }
        work.Record(incident, "note", actor, text.Trim());
        work.Audit.Record("note", "incident", incident.HumanId);
        await work.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }
}
