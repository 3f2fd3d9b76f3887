using Vigil.Features.Access;
using Vigil.Features.Metrics.PrometheusApi;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Features.Metrics;

/// <summary>The metrics engine in the server: the sample store, PromQL, and the Prometheus-compatible API under <c>/prometheus/</c>.</summary>
public static class MetricsModule
{
    public static IServiceCollection AddMetricsEngine(this IServiceCollection services)
    {
        // The embedded store lives in DATA/metrics; it is opened once (WAL replay) and flushed at shutdown.
        services.AddSingleton<ISampleStore>(sp =>
        {
            var serve = sp.GetRequiredService<Hosting.ServeOptions>();
            var settings = serve.Metrics;
            return TsdbStore.Open(Path.Combine(serve.DataDirectory, "metrics"), new TsdbOptions
            {
                RetentionTime = settings.Retention,
                RetentionSizeBytes = settings.RetentionSizeMb > 0 ? settings.RetentionSizeMb * 1024 * 1024 : null,
                OutOfOrderTimeWindow = settings.OutOfOrderWindow,
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
            });
        });
        services.AddSingleton<Server.IHealthContributor, MetricsStoreHealth>();
        services.AddHostedService<ExportStoreStats>();
        services.AddSingleton<WalDamageReport>();
        services.AddHostedService(sp => sp.GetRequiredService<WalDamageReport>());
        services.AddSingleton<Server.ISystemSection>(sp => sp.GetRequiredService<WalDamageReport>());
        services.AddHttpClient("query-url", c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.GZip, PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectCallback = Outbound.OutboundConnector.ConnectAsync });
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<Hosting.ServeOptions>().Metrics;
            // metrics.query_url: every PromQL query of the server (rules, SLOs, API, console) goes to that API.
            var remote = settings.QueryUrl is { } url
                ? new QueryRemoteStore(sp.GetRequiredService<IHttpClientFactory>().CreateClient("query-url"), new Uri(url), settings.QueryHeaders,
                    ScrapeSettingsRules.Credentials(settings.QueryAuthorization, settings.QueryBasicAuth), settings.QueryTimeout)
                : null;
            return new PromQLEngine(new PromQLEngineOptions { MaxSamples = settings.QueryMaxSamples, Remote = remote });
        });
        services.AddSingleton<EvaluateQuery>();
        services.AddHostedService<ExportQueryStats>();
        services.AddHttpClient("scrape", c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.GZip, PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectCallback = Outbound.OutboundConnector.ConnectAsync });
        services.AddHttpClient("remote-write", c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectCallback = Outbound.OutboundConnector.ConnectAsync });
        services.AddSingleton<ForwardSamples>();
        services.AddHostedService(sp => sp.GetRequiredService<ForwardSamples>());
        services.AddSingleton<Server.ISystemSection, ForwardingSection>();
        services.AddSingleton<ApplyScrapeTargets>();
        services.AddSingleton<RemoteWriteMetadata>();
        services.AddSingleton<Configuration.IConfigConsumer>(sp => sp.GetRequiredService<ApplyScrapeTargets>());
        return services;
    }

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/system/metrics/wal-damage/acknowledge", WalDamageReport.Acknowledge).RequirePermission(Permission.ConfigReload).WithTags("System");
        var api = app.MapGroup("/prometheus/api/v1").WithTags("Metrics (Prometheus API)");
        foreach (var (path, handler) in new (string, Delegate)[]
        {
            ("/query", QueryEndpoints.Instant),
            ("/query_range", QueryEndpoints.Range),
            ("/series", MetadataEndpoints.Series),
            ("/labels", MetadataEndpoints.LabelNames),
        })
        {
            api.MapMethods(path, [HttpMethods.Get, HttpMethods.Post], handler).RequirePermission(Permission.MetricsView).DisableAntiforgery();
        }
        api.MapGet("/label/{name}/values", MetadataEndpoints.LabelValues).RequirePermission(Permission.MetricsView);
        api.MapPost("/write", ReceiveRemoteWrite.Handle).RequirePermission(Permission.MetricsWrite).DisableAntiforgery();
        api.MapGet("/metadata", ListMetricMetadata.Handle).RequirePermission(Permission.MetricsView);
        api.MapMethods("/query_exemplars", [HttpMethods.Get, HttpMethods.Post], MetadataEndpoints.Exemplars).RequirePermission(Permission.MetricsView).DisableAntiforgery();
        api.MapGet("/status/buildinfo", MetadataEndpoints.BuildInfo).RequirePermission(Permission.MetricsView);
        return app;
    }
}
