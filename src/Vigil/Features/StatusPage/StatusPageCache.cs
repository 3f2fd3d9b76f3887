using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

/// <summary>
/// Every status page rendered once per change and kept as bytes, so a hit costs no database query
/// and no rendering. A rendering is dropped when <see cref="StatusChanges"/> moves (the next hit
/// waits for the new one) and renewed after <see cref="Refresh"/> (uptime bars and maintenance move
/// with time): then hits keep getting the previous bytes while one rebuild runs, unless it is older
/// than twice the refresh, when they wait for it.
/// </summary>
public sealed class StatusPageCache(IServiceScopeFactory scopes, StatusChanges changes, TimeProvider clock, ILogger<StatusPageCache> logger)
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(60);

    public sealed record Body(byte[] Bytes, string ContentType, string ETag);

    public sealed record Rendering(long Version, DateTimeOffset RenderedAt, IReadOnlyDictionary<string, Body> Views);

    private sealed record Directory(long Version, IReadOnlyDictionary<string, StoredStatusPage> Pages, IReadOnlyDictionary<string, string> Hosts);

    private readonly ConcurrentDictionary<string, Rendering> renderings = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate = new(1, 1);
    private Directory? directory;

    /// <summary>The page's rendering, or null when there is no such page.</summary>
    public async Task<Rendering?> GetAsync(string slug, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (renderings.TryGetValue(slug, out var cached) && cached.Version == changes.Version)
        {
            var age = now - cached.RenderedAt;
            if (age < Refresh && age >= TimeSpan.Zero)
            {
                return cached;
            }
            if (age < 2 * Refresh && age >= TimeSpan.Zero)
            {
                if (gate.Wait(0))
                {
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await RenderAsync(slug, CancellationToken.None);
                        }
                        catch (Exception e)
                        {
                            logger.LogWarning(e, "Refreshing status page {Page} failed; its previous rendering is served", slug);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }, CancellationToken.None);
                }
                return cached;
            }
        }
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (renderings.TryGetValue(slug, out cached) && cached.Version == changes.Version && clock.GetUtcNow() - cached.RenderedAt < Refresh)
            {
                return cached;
            }
            return await RenderAsync(slug, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && cached is not null)
        {
            logger.LogWarning(e, "Rendering status page {Page} failed; its previous rendering is served", slug);
            return cached;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The page whose custom host name this is, if any.</summary>
    public async Task<string?> SlugForHostAsync(string host, CancellationToken cancellationToken)
    {
        var current = directory;
        if (current is null || current.Version != changes.Version)
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                current = await DirectoryAsync(cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }
        return current.Hosts.GetValueOrDefault(host);
    }

    /// <summary>Called holding the gate.</summary>
    private async Task<Rendering?> RenderAsync(string slug, CancellationToken cancellationToken)
    {
        var version = changes.Version;
        var pages = await DirectoryAsync(cancellationToken);
        if (!pages.Pages.TryGetValue(slug, out var page))
        {
            renderings.TryRemove(slug, out _);
            return null;
        }
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var snapshot = await ReadStatusSnapshot.ReadAsync(page, scope.ServiceProvider, now, cancellationToken);
        var views = new Dictionary<string, Body>(StringComparer.Ordinal)
        {
            [""] = Of(StatusPageHtml.Page(snapshot), "text/html; charset=utf-8"),
            ["history"] = Of(StatusPageHtml.History(snapshot), "text/html; charset=utf-8"),
            ["history.atom"] = Of(StatusAtomFeed.Render(snapshot), "application/atom+xml; charset=utf-8"),
        };
        foreach (var (path, bytes) in StatuspageJson.Render(snapshot))
        {
            views["api/v2/" + path] = Of(bytes, "application/json; charset=utf-8");
        }
        var rendering = new Rendering(version, now, views);
        renderings[slug] = rendering;
        return rendering;
    }

    /// <summary>Called holding the gate.</summary>
    private async Task<Directory> DirectoryAsync(CancellationToken cancellationToken)
    {
        var version = changes.Version;
        if (directory is { } current && current.Version == version)
        {
            return current;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var pages = await db.Set<StoredStatusPage>().AsNoTracking().ToListAsync(cancellationToken);
        var loaded = new Directory(version,
            pages.ToDictionary(p => p.Name, StringComparer.Ordinal),
            pages.Where(p => p.Host is not null).ToDictionary(p => p.Host!, p => p.Name, StringComparer.OrdinalIgnoreCase));
        directory = loaded;
        return loaded;
    }

    private static Body Of(byte[] bytes, string contentType) =>
        new(bytes, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 8)}\"");
}
