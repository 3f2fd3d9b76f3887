using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;
using Vigil.Metrics;
using Vigil.Metrics.Scrape;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Metrics;

/// <summary>
/// Runs the scrape jobs of <c>metrics.scrape_configs</c> and the job <c>catalog</c> (every catalog
/// environment with a <c>metrics:</c> endpoint): on start, on every reload and on every catalog
/// change the targets are replaced, keeping the loops of targets that did not change (no false
/// staleness markers). Over several replicas each scrapes its share of the targets (rendezvous
/// hashing over the live members), and the share is worked out again when the membership changes.
/// </summary>
public sealed class ApplyScrapeTargets : IConfigConsumer, IAsyncDisposable
{
    /// <summary>The job name of the catalog's targets; <c>metrics.scrape_configs</c> may not use it.</summary>
    public const string CatalogJob = "catalog";

    private readonly ISampleStore store;
    private readonly TimeProvider clock;
    private readonly IHttpClientFactory http;
    private readonly IHostApplicationLifetime lifetime;
    private readonly IServiceScopeFactory scopes;
    private readonly SemaphoreSlim applying = new(1, 1);
    private ScrapeManager? manager;
    private MetricsSettings? settings;
    private readonly Cluster.ClusterMembership cluster;
    private readonly ILogger<ApplyScrapeTargets> logger;

    public ApplyScrapeTargets(ISampleStore store, TimeProvider clock, IHttpClientFactory http, IHostApplicationLifetime lifetime, IServiceScopeFactory scopes, CatalogChanges catalog, Cluster.ClusterMembership cluster, ILogger<ApplyScrapeTargets> logger)
    {
        this.cluster = cluster;
        this.logger = logger;
        cluster.MembersChanged += () => _ = ReconcileAfterMembershipChangeAsync();
        this.store = store;
        this.clock = clock;
        this.http = http;
        this.lifetime = lifetime;
        this.scopes = scopes;
        catalog.Subscribe(ReconcileAsync);
    }

    /// <summary>The scrape loops running now (none before the first target is configured).</summary>
    public IReadOnlyList<ScrapeLoop> Loops => manager?.Loops ?? [];

    public ScrapeManager Manager => manager ??= new ScrapeManager(http.CreateClient("scrape"), store.Appender, clock, stopping: lifetime.ApplicationStopping);

    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        Volatile.Write(ref settings, config.Metrics);
        await ReconcileAsync(cancellationToken);
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref settings) is not { } current)
        {
            return; // Before the first config: the config's apply reads the catalog too.
        }
        // One at a time, so an older reading of the catalog never replaces a newer one.
        await applying.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var endpoints = await ListMetricsEndpoints.ReadAsync(scope.ServiceProvider.GetRequiredService<VigilDbContext>(), cancellationToken);
            var targets = ScrapeSettingsRules.ToScrapeConfigs(current)
                .Concat(endpoints.Select(e => CatalogScrapeConfig(e, current)))
                .SelectMany(ScrapeTarget.FromConfig)
                .Where(t => cluster.Owns($"scrape/{t.Config.JobName}/{t.Url}"))
                .ToList();
            if (targets.Count == 0 && manager is null)
            {
                return;
            }
            await Manager.ApplyAsync(targets, cancellationToken);
        }
        finally
        {
            applying.Release();
        }
    }

    private async Task ReconcileAfterMembershipChangeAsync()
    {
        try
        {
            await ReconcileAsync(lifetime.ApplicationStopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next change of the catalog, the configuration or the membership tries again.
            logger.LogWarning("Re-sharding the scrape targets failed: {Error}", e.Message);
        }
    }

    /// <summary>One environment's endpoint as a job <c>catalog</c> with the catalog's labels on its one target.</summary>
    public static ScrapeConfig CatalogScrapeConfig(CatalogMetricsEndpoint e, MetricsSettings settings)
    {
        var interval = e.Interval ?? settings.ScrapeInterval;
        var labels = new List<Label> { new("service", e.Service), new("environment", e.Environment) };
        if (e.Tier is { } tier)
        {
            labels.Add(new("tier", tier.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (!string.IsNullOrEmpty(e.Team))
        {
            labels.Add(new("team", e.Team));
        }
        return new ScrapeConfig
        {
            JobName = CatalogJob,
            Interval = interval,
            Timeout = settings.ScrapeTimeout < interval ? settings.ScrapeTimeout : interval,
            Scheme = e.Scheme ?? "http",
            MetricsPath = e.Path ?? "/metrics",
            StaticConfigs = [new StaticTargetGroup([e.Target], Labels.From(labels))],
        };
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
