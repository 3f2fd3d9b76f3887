using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Catalog;

/// <summary>An environment's metrics endpoint, with what the catalog knows about its service.</summary>
public sealed record CatalogMetricsEndpoint(
    string Service, string Environment, int? Tier, string? Team, string Target, string? Path, string? Scheme, TimeSpan? Interval);

/// <summary>Every environment in the catalog that declares <c>metrics:</c>, for the scrape job <c>catalog</c>.</summary>
public static class ListMetricsEndpoints
{
    public static async Task<IReadOnlyList<CatalogMetricsEndpoint>> ReadAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        var services = await db.Services.AsNoTracking()
            .Where(s => s.Environments.Any(e => e.MetricsTarget != null))
            .OrderBy(s => s.Name)
            .ToListAsync(cancellationToken);
        return [.. services.SelectMany(s => s.Environments
            .Where(e => e.MetricsTarget is not null)
            .OrderBy(e => e.Position)
            .Select(e => new CatalogMetricsEndpoint(s.Name, e.Name, s.Tier, s.Owner, e.MetricsTarget!, e.MetricsPath, e.MetricsScheme, e.MetricsInterval)))];
    }
}
