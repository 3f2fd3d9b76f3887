using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.Alerting.Maintenance;

/// <summary>Makes the config-defined maintenance windows match <c>maintenance_windows:</c>; API-defined ones are left alone (a config window takes over an API one of the same name).</summary>
public sealed class SyncMaintenanceFromConfig(IServiceScopeFactory scopes, Hosting.StatusChanges statusChanges, TimeProvider clock) : IConfigConsumer
{
    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        if (!SharedObjects.Writable)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var existing = await db.Set<MaintenanceWindow>().ToDictionaryAsync(w => w.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.MaintenanceWindows.Select(w => w.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in config.MaintenanceWindows)
        {
            if (!existing.TryGetValue(definition.Name!, out var window))
            {
                window = new MaintenanceWindow { Name = definition.Name!, Service = definition.Service!, CreatedAt = now };
                db.Add(window);
            }
            window.Apply(definition);
            window.Origin = ObjectOrigin.Config;
            window.UpdatedAt = now;
        }
        db.RemoveRange(existing.Values.Where(w => w.Origin == ObjectOrigin.Config && !wanted.Contains(w.Name)));
        await db.SaveChangesAsync(cancellationToken);
        statusChanges.Raise();
    }

    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.MaintenanceWindows.Count; i++)
        {
            var window = config.MaintenanceWindows[i];
            if (window.Name is { } name && !seen.Add(name))
            {
                yield return new FieldError($"maintenance_windows[{i}].name", $"duplicate maintenance window name \"{name}\"");
            }
            foreach (var error in WindowSchedule.Validate(window, $"maintenance_windows[{i}]."))
            {
                yield return error;
            }
        }
    }
}
