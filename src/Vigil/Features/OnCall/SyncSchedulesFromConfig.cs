using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.OnCall;

/// <summary>
/// Makes the stored schedules match <c>schedules:</c>: config schedules are created, updated and
/// removed with the file, in one transaction; API schedules are left alone, except that a config
/// schedule of the same name takes it over (config wins). Overrides added through the API stay.
/// </summary>
public sealed class SyncSchedulesFromConfig(IServiceScopeFactory scopes, TimeProvider clock) : IConfigConsumer
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
        var existing = await db.Set<StoredSchedule>().ToDictionaryAsync(s => s.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.Schedules.Select(s => s.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in config.Schedules)
        {
            var text = StoredSchedule.Write(definition);
            if (!existing.TryGetValue(definition.Name!, out var row))
            {
                row = new StoredSchedule { Name = definition.Name!, Definition = text, CreatedAt = now };
                db.Set<StoredSchedule>().Add(row);
            }
            else if (row.Definition == text && row.Origin == ObjectOrigin.Config)
            {
                continue;
            }
            row.Origin = ObjectOrigin.Config;
            row.Definition = text;
            row.UpdatedAt = now;
        }
        foreach (var stale in existing.Values.Where(s => s.Origin == ObjectOrigin.Config && !wanted.Contains(s.Name)))
        {
            db.Set<StoredSchedule>().Remove(stale);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
