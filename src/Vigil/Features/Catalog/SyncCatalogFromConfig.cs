using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Catalog;

/// <summary>
/// Makes the catalog match <c>services:</c> in the configuration: config-defined services are
/// created, updated and removed with the file, in one transaction; API-defined services are left
/// alone. A config service whose name an API service already has takes it over (config wins).
/// </summary>
public sealed class SyncCatalogFromConfig(IServiceScopeFactory scopes, TimeProvider clock, CatalogChanges changes) : IConfigConsumer
{
    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        if (!SharedObjects.Writable)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await db.Services.ToDictionaryAsync(s => s.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.Services.Select(s => s.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in config.Services)
        {
            if (!existing.TryGetValue(definition.Name!, out var service))
            {
                service = new Service { Name = definition.Name!, CreatedAt = now };
                db.Services.Add(service);
            }
            service.Origin = ObjectOrigin.Config;
            ServiceRules.Apply(definition, service);
            service.UpdatedAt = now;
        }
        foreach (var stale in existing.Values.Where(s => s.Origin == ObjectOrigin.Config && !wanted.Contains(s.Name)))
        {
            db.Services.Remove(stale);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await changes.PublishAsync(cancellationToken);
    }
}
