using Vigil.Metrics.Storage;

namespace Vigil.Metrics.Scrape;

/// <summary>
/// Runs a scrape loop per target on its interval. <see cref="ApplyAsync"/> replaces the set of
/// targets at runtime (config reload): new targets start, removed ones stop and get staleness
/// markers, and a target whose job config changed restarts keeping its previous series. Stops
/// when the token given at construction is cancelled or on <see cref="DisposeAsync"/>, without
/// writing staleness markers, as Prometheus does on shutdown.
/// </summary>
public sealed class ScrapeManager : IAsyncDisposable
{
    private readonly HttpClient http;
    private readonly Func<ISampleAppender> appender;
    private readonly TimeProvider time;
    private readonly ulong jitterSeed;
    private readonly CancellationTokenSource stopping;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<(Uri Url, Labels Labels), Running> running = [];
    private int disposed;

    /// <summary>Creates a manager with no targets.</summary>
    /// <param name="http">The client for scrapes; it should not decompress by itself, so the body limit applies to the real size.</param>
    /// <param name="appender">Gives a new batch per scrape, e.g. <c>store.Appender</c>.</param>
    /// <param name="time">The clock for schedules, timestamps and timeouts.</param>
    /// <param name="jitterSeed">Mixed into each target's offset so that two servers scraping the same targets do so at different times.</param>
    /// <param name="stopping">Stops every loop when cancelled.</param>
    public ScrapeManager(HttpClient http, Func<ISampleAppender> appender, TimeProvider time, ulong jitterSeed = 0, CancellationToken stopping = default)
    {
        this.http = http;
        this.appender = appender;
        this.time = time;
        this.jitterSeed = jitterSeed;
        this.stopping = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>The loops running now, one per target.</summary>
    public IReadOnlyList<ScrapeLoop> Loops
    {
        get
        {
            lock (running)
            {
                return [.. running.Values.Select(r => r.Loop)];
            }
        }
    }

    /// <summary>Makes <paramref name="targets"/> the set of targets scraped.</summary>
    public async Task ApplyAsync(IEnumerable<ScrapeTarget> targets, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = targets.GroupBy(t => (t.Url, t.Labels)).ToDictionary(g => g.Key, g => g.First());
            List<Running> removed;
            lock (running)
            {
                removed = [.. running.Where(r => !wanted.ContainsKey(r.Key)).Select(r => r.Value)];
                foreach (var r in removed)
                {
                    running.Remove((r.Loop.Target.Url, r.Loop.Target.Labels));
                }
            }
            foreach (var r in removed)
            {
                await r.StopAsync().ConfigureAwait(false);
                await r.Loop.WriteStaleMarkersAsync(cancellationToken).ConfigureAwait(false);
            }
            foreach (var (key, target) in wanted)
            {
                Running? old;
                lock (running)
                {
                    running.TryGetValue(key, out old);
                }
                if (old is not null && ReferenceEquals(old.Loop.Target.Config, target.Config))
                {
                    continue;
                }
                var loop = new ScrapeLoop(target, http, appender, time);
                if (old is not null)
                {
                    await old.StopAsync().ConfigureAwait(false);
                    loop.TakeStateFrom(old.Loop);
                }
                var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                // Started inline so that the first wait is scheduled before this method returns.
                var task = loop.RunAsync(jitterSeed, cts.Token);
                lock (running)
                {
                    running[key] = new Running(loop, cts, task);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops every loop and waits for them. Calling it again does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        await stopping.CancelAsync().ConfigureAwait(false);
        List<Running> all;
        lock (running)
        {
            all = [.. running.Values];
            running.Clear();
        }
        foreach (var r in all)
        {
            await r.StopAsync().ConfigureAwait(false);
        }
        stopping.Dispose();
    }

    private sealed record Running(ScrapeLoop Loop, CancellationTokenSource Cancel, Task Task)
    {
        public async Task StopAsync()
        {
            await Cancel.CancelAsync().ConfigureAwait(false);
            await Task.ConfigureAwait(false);
            Cancel.Dispose();
        }
    }
}
