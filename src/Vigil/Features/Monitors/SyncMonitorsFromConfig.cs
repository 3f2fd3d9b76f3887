using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors.Scheduling;

namespace Vigil.Features.Monitors;

/// <summary>
/// Makes the monitors match <c>monitors:</c> in the configuration, as the catalog does for
/// services: config monitors are created, updated and removed with the file; API monitors stay.
/// A heartbeat keeps its token (and its pings) across reloads. Pausing is operational state and survives reloads.
/// </summary>
public sealed class SyncMonitorsFromConfig(IServiceScopeFactory scopes, MonitorLoop loop, MonitoringOptions options, TimeProvider clock) : IConfigConsumer
{
    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        options.Settings = config.Monitoring;
        if (SharedObjects.Writable)
        {
            await WriteAsync(config, cancellationToken);
        }
        await loop.RefreshAsync(cancellationToken);
    }

    private async Task WriteAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<Access.SecretProtector>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await db.Set<StoredMonitor>().ToDictionaryAsync(m => m.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.Monitors.Select(m => m.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in config.Monitors)
        {
            if (!existing.TryGetValue(definition.Name!, out var monitor))
            {
                monitor = new StoredMonitor { Name = definition.Name!, Service = definition.Service!, CreatedAt = now };
                db.Add(monitor);
            }
            var paused = monitor.Paused;
            monitor.Origin = ObjectOrigin.Config;
            monitor.Apply(Copy(definition), secrets);
            monitor.Paused = definition.Paused ?? paused;
            monitor.UpdatedAt = now;
        }
        db.RemoveRange(existing.Values.Where(m => m.Origin == ObjectOrigin.Config && !wanted.Contains(m.Name)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // Apply normalises the definition it is given; the loaded config stays as written.
    private static MonitorDefinition Copy(MonitorDefinition d) =>
        System.Text.Json.JsonSerializer.Deserialize<MonitorDefinition>(System.Text.Json.JsonSerializer.Serialize(d))!;
}
