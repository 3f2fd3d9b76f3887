using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Catalog;

/// <summary><c>GET /api/services?tag=&amp;tier=&amp;environment=</c>: the catalog, filtered, by name.</summary>
public static class ListServices
{
    public static async Task<Ok<List<ServiceView>>> Handle(VigilDbContext db, string? tag, int? tier, string? environment, CancellationToken cancellationToken)
    {
        var services = await Query(db, tag, tier, environment).ToListAsync(cancellationToken);
        return TypedResults.Ok(services.Select(ServiceView.From).ToList());
    }

    /// <summary>The filtered catalog, ordered by name; shared by the API and the console page.</summary>
    public static IQueryable<Service> Query(VigilDbContext db, string? tag = null, int? tier = null, string? environment = null)
    {
        IQueryable<Service> query = db.Services.AsNoTracking();
        if (!string.IsNullOrEmpty(tag))
        {
            query = query.Where(s => s.Tags.Contains(tag));
        }
        if (tier is not null)
        {
            query = query.Where(s => s.Tier == tier);
        }
        if (!string.IsNullOrEmpty(environment))
        {
            query = query.Where(s => s.Environments.Any(e => e.Name == environment));
        }
        return query.OrderBy(s => s.Name);
    }
}
