using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Catalog;

/// <summary><c>DELETE /api/services/{name}</c>: refused for config-defined services and for services others depend on.</summary>
public static class DeleteService
{
    public static async Task<Results<NoContent, ProblemHttpResult>> Handle(string name, VigilDbContext db, AuditLog audit, CatalogChanges changes, CancellationToken cancellationToken)
    {
        var service = await db.Services.SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (service is null)
        {
            return Problems.NotFound($"no service named \"{name}\"");
        }
        if (service.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"service \"{name}\" is defined in the configuration file and is read-only through the API");
        }
        var dependents = await db.Services
            .Where(s => s.Dependencies.Any(d => d.Kind == DependencyKind.Service && d.Target == name))
            .Select(s => s.Name)
            .ToListAsync(cancellationToken);
        if (dependents.Count > 0)
        {
            return Problems.Conflict($"service \"{name}\" is a dependency of {string.Join(", ", dependents.Order().Select(d => $"\"{d}\""))}; remove those dependencies first");
        }
        db.Services.Remove(service);
        audit.Record("delete", "service", service.Name);
        await db.SaveChangesAsync(cancellationToken);
        await changes.PublishAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
