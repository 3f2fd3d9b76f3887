using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Catalog;

/// <summary><c>PUT /api/services/{name}</c>: replaces an API-defined service; config-defined ones are read-only.</summary>
public static class UpdateService
{
    public static async Task<Results<Ok<ServiceView>, ValidationProblem, ProblemHttpResult>> Handle(
        string name, ServiceDefinition? body, VigilDbContext db, AuditLog audit, CatalogChanges changes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON service definition is required");
        }
        body.Name ??= name;
        if (body.Name != name)
        {
            return Problems.Field("name", $"does not match the service in the URL (\"{name}\"); services cannot be renamed");
        }
        var service = await db.Services.SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (service is null)
        {
            return Problems.NotFound($"no service named \"{name}\"");
        }
        if (service.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"service \"{name}\" is defined in the configuration file and is read-only through the API");
        }
        var names = await db.Services.Select(s => s.Name).ToHashSetAsync(cancellationToken);
        var errors = ServiceRules.Validate(body, "", names.Contains).Concat(Outbound.OutboundRules.Refusals(ServiceRules.Destinations(body, ""), Outbound.OutboundConnector.Current)).ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        ServiceRules.Apply(body, service);
        service.UpdatedAt = clock.GetUtcNow();
        audit.Record("update", "service", service.Name);
        await db.SaveChangesAsync(cancellationToken);
        await changes.PublishAsync(cancellationToken);
        return TypedResults.Ok(ServiceView.From(service));
    }
}
