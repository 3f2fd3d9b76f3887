using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.Slos;

/// <summary>
/// Makes the SLOs match <c>slos:</c> in the configuration, as monitors do: config SLOs are created,
/// updated and removed with the file; SLOs made through the API stay.
/// </summary>
public sealed class SyncSlosFromConfig(IServiceScopeFactory scopes, SloCatalog catalog, TimeProvider clock) : IConfigConsumer
{
    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        if (SharedObjects.Writable)
        {
            await WriteAsync(config, cancellationToken);
        }
        await catalog.RefreshAsync(cancellationToken);
    }

    private async Task WriteAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await db.Set<StoredSlo>().ToDictionaryAsync(s => s.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.Slos.Select(s => s.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in config.Slos)
        {
            if (!existing.TryGetValue(definition.Name!, out var slo))
            {
                slo = new StoredSlo { Name = definition.Name!, Service = definition.Service!, CreatedAt = now };
                db.Add(slo);
            }
            slo.Origin = ObjectOrigin.Config;
            slo.Apply(definition);
            slo.UpdatedAt = now;
        }
        db.RemoveRange(existing.Values.Where(s => s.Origin == ObjectOrigin.Config && !wanted.Contains(s.Name)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
