using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

/// <summary>Makes the config-defined status pages match <c>status_pages:</c>; API-defined ones are left alone (a config page takes over an API one of the same name).</summary>
public sealed class SyncStatusPagesFromConfig(IServiceScopeFactory scopes, StatusChanges changes, TimeProvider clock) : IConfigConsumer
{
    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        if (!SharedObjects.Writable)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var existing = await db.Set<StoredStatusPage>().ToDictionaryAsync(p => p.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.StatusPages.Select(p => p.Name!).ToHashSet(StringComparer.Ordinal);
        var hosts = config.StatusPages.Where(p => p.Host is not null).Select(p => p.Host!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // An API page whose host name a config page now claims gives it up (the host column is unique).
        foreach (var page in existing.Values.Where(p => p.Origin == ObjectOrigin.Api && !wanted.Contains(p.Name) && p.Host is not null && hosts.Contains(p.Host)))
        {
            var definition = page.Definition();
            definition.Host = null;
            page.Apply(definition);
        }
        db.RemoveRange(existing.Values.Where(p => p.Origin == ObjectOrigin.Config && !wanted.Contains(p.Name)));
        await db.SaveChangesAsync(cancellationToken);
        foreach (var definition in config.StatusPages)
        {
            if (!existing.TryGetValue(definition.Name!, out var page))
            {
                page = new StoredStatusPage { Name = definition.Name!, CreatedAt = now };
                db.Add(page);
            }
            page.Apply(definition);
            page.Origin = ObjectOrigin.Config;
            page.UpdatedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
        changes.Raise();
    }
}
