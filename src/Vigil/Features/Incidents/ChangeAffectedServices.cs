namespace Vigil.Features.Incidents;

/// <summary><c>PUT /api/incidents/{id}/services</c>: the services the incident affects and their impact (replaces the list).</summary>
public static class ChangeAffectedServices
{
    public sealed class Request
    {
        public List<AffectedService>? Services { get; set; }
    }

    public static async Task<IResult> Handle(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, body?.Services, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static IncidentOutcome? Check(IReadOnlyList<AffectedService> services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(services[i].Service))
            {
                return IncidentOutcome.Invalid($"services[{i}].service", "a service name is required");
            }
            if (!Impact.All.Contains(services[i].Impact))
            {
                return IncidentOutcome.Invalid($"services[{i}].impact", $"use one of {string.Join(", ", Impact.All)}");
            }
        }
        return null;
    }

    public static async Task<IncidentOutcome> RunAsync(IncidentWorkspace work, string id, List<AffectedService>? services, string actor, CancellationToken cancellationToken)
    {
        if (services is null)
        {
            return IncidentOutcome.Invalid("services", "a list of {service, impact} is required");
        }
        if (Check(services) is { } error)
        {
            return error;
        }
        if (await work.FindAsync(id, cancellationToken) is not { } incident)
        {
            return IncidentOutcome.Missing(id);
        }
        incident.Services = [.. services.Select(s => new IncidentService { Service = s.Service, Impact = s.Impact })];
        work.Record(incident, "service", actor, services.Count == 0 ? "No services affected" : $"Affects {string.Join(", ", services.Select(s => $"{s.Service} ({s.Impact})"))}");
        work.Audit.Record("update_services", "incident", incident.HumanId);
        await work.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }
}
