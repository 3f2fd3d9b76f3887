using Vigil.Configuration;
using Vigil.Metrics.Scrape;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Metrics;

/// <summary>
/// Runs the scrape jobs of <c>metrics.scrape_configs</c>: on start and on every reload the targets
/// are replaced, keeping the loops of targets that did not change (no false staleness markers).
/// </summary>
public sealed class ApplyScrapeTargets(ISampleStore store, TimeProvider clock, IHttpClientFactory http, IHostApplicationLifetime lifetime)
    : IConfigConsumer, IAsyncDisposable
{
    private ScrapeManager? manager;

    /// <summary>The scrape loops running now (none before the first target is configured).</summary>
    public IReadOnlyList<ScrapeLoop> Loops => manager?.Loops ?? [];

    public ScrapeManager Manager => manager ??= new ScrapeManager(http.CreateClient("scrape"), store.Appender, clock, stopping: lifetime.ApplicationStopping);

    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        var targets = ScrapeSettingsRules.ToScrapeConfigs(config.Metrics).SelectMany(ScrapeTarget.FromConfig).ToList();
        if (targets.Count == 0 && manager is null)
        {
            return;
        }
        await Manager.ApplyAsync(targets, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as a config consumer: the container may dispose it twice.
        if (Interlocked.Exchange(ref manager, null) is { } running)
        {
            await running.DisposeAsync();
        }
    }
}
