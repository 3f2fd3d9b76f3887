namespace Vigil.Features.Incidents;

/// <summary><c>PUT /api/incidents/{id}/roles</c>: the incident commander and the responders.</summary>
public static class AssignIncidentRoles
{
    public sealed class Request
    {
        public string? Commander { get; set; }
        public List<string>? Responders { get; set; }
    }

    public static async Task<IResult> Handle(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, body, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IncidentOutcome> RunAsync(IncidentWorkspace work, string id, Request? body, string actor, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return IncidentOutcome.Invalid("body", "commander and/or responders are required");
        }
        var responders = body.Responders?.Select(r => r.Trim()).ToList();
        if (responders?.FindIndex(string.IsNullOrEmpty) is >= 0 and var blank)
        {
            return IncidentOutcome.Invalid($"responders[{blank}]", "a name is required");
        }
        if (await work.FindAsync(id, cancellationToken) is not { } incident)
        {
            return IncidentOutcome.Missing(id);
        }
        if (body.Commander is { } commander && commander != incident.Commander)
        {
            incident.Commander = string.IsNullOrWhiteSpace(commander) ? null : commander.Trim();
            var told = incident.Commander is { } named
                ? "; " + await NotifyIncidentRoles.AssignedAsync(work.Db, work.Paging, incident, "incident commander", named, work.Link(incident), work.Now, cancellationToken)
                : "";
            work.Record(incident, "role", actor, incident.Commander is null ? "No incident commander" : $"{incident.Commander} is incident commander{told}");
        }
        if (responders is not null && !responders.SequenceEqual(incident.Responders))
        {
            var added = responders.Except(incident.Responders).ToList();
            var removed = incident.Responders.Except(responders).ToList();
            incident.Responders = [.. responders.Distinct(StringComparer.Ordinal)];
            var parts = added.Select(a => $"+{a}").Concat(removed.Select(r => $"−{r}"));
            var told = new List<string>();
            foreach (var responder in added.Distinct(StringComparer.Ordinal))
            {
                told.Add(await NotifyIncidentRoles.AssignedAsync(work.Db, work.Paging, incident, "a responder", responder, work.Link(incident), work.Now, cancellationToken));
            }
            work.Record(incident, "role", actor, $"Responders: {string.Join(", ", incident.Responders)} ({string.Join(" ", parts)}){string.Concat(told.Select(t => "; " + t))}");
        }
        work.Audit.Record("assign", "incident", incident.HumanId, new { commander = incident.Commander, responders = incident.Responders });
        await work.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }
}
