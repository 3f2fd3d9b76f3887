using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.Tasks;

/// <summary>
/// Makes the tasks match <c>tasks:</c> in the configuration: config tasks are created (counting due
/// times from then), updated and removed with the file; tasks made through the API stay. A config
/// task takes over an API task of the same name.
/// </summary>
public sealed class SyncTasksFromConfig(IServiceScopeFactory scopes, TimeProvider clock) : IConfigConsumer
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
        var existing = await db.Set<StoredTask>().ToDictionaryAsync(t => t.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.Tasks.Select(t => t.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in config.Tasks)
        {
            if (!existing.TryGetValue(definition.Name!, out var task))
            {
                task = new StoredTask { Name = definition.Name!, CreatedAt = now };
                db.Add(task);
            }
            task.Origin = ObjectOrigin.Config;
            task.Apply(definition);
            task.UpdatedAt = now;
        }
        db.RemoveRange(existing.Values.Where(t => t.Origin == ObjectOrigin.Config && !wanted.Contains(t.Name)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
