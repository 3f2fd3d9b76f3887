using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Catalog;

/// <summary><c>POST /api/services</c>: adds a service defined through the API (editable later, unlike config-defined ones).</summary>
public static class CreateService
{
    public static async Task<Results<Created<ServiceView>, ValidationProblem, ProblemHttpResult>> Handle(
        ServiceDefinition? body, VigilDbContext db, AuditLog audit, CatalogChanges changes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON service definition is required");
        }
        var names = await db.Services.Select(s => s.Name).ToHashSetAsync(cancellationToken);
        var errors = ServiceRules.Validate(body, "", names.Contains).Concat(Outbound.OutboundRules.Refusals(ServiceRules.Destinations(body, ""), Outbound.OutboundConnector.Current)).ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (names.Contains(body.Name!))
        {
            return Problems.Conflict($"a service named \"{body.Name}\" already exists");
        }
        var now = clock.GetUtcNow();
        var service = new Service { Name = body.Name!, Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
        ServiceRules.Apply(body, service);
        db.Services.Add(service);
        audit.Record("create", "service", service.Name);
        await db.SaveChangesAsync(cancellationToken);
        await changes.PublishAsync(cancellationToken);
        return TypedResults.Created($"/api/services/{service.Name}", ServiceView.From(service));
    }
}
