using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.Alerting.Dispatch;

/// <summary>Which catalog services each service needs (its <c>dependencies</c> of kind service), for dependency-aware suppression.</summary>
public static class DependencyMap
{
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> LoadAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        var services = await db.Services.AsNoTracking().Select(s => new { s.Name, s.Dependencies }).ToListAsync(cancellationToken);
        return services.ToDictionary(
            s => s.Name,
            s => (IReadOnlyList<string>)[.. s.Dependencies.Where(d => d.Kind == DependencyKind.Service).Select(d => d.Target)],
            StringComparer.Ordinal);
    }
}
