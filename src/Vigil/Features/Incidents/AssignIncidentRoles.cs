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
            work.Record(incident, "role", actor, incident.Commander is null ? "No incident commander" : $"{incident.Commander} is incident commander");
        }
        if (responders is not null && !responders.SequenceEqual(incident.Responders))
        {
            var added = responders.Except(incident.Responders).ToList();
            var removed = incident.Responders.Except(responders).ToList();
            incident.Responders = [.. responders.Distinct(StringComparer.Ordinal)];
            var parts = added.Select(a => $"+{a}").Concat(removed.Select(r => $"−{r}"));
            work.Record(incident, "role", actor, $"Responders: {string.Join(", ", incident.Responders)} ({string.Join(" ", parts)})");
        }
        work.Audit.Record("assign", "incident", incident.HumanId, new { commander = incident.Commander, responders = incident.Responders });
        await work.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }
}
