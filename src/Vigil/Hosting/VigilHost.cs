using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;
using Prometheus;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting;
using Vigil.Features.Backups;
using Vigil.Features.Capacity;
using Vigil.Features.Catalog;
using Vigil.Features.Cluster;
using Vigil.Features.Cost;
using Vigil.Features.Dashboards;
using Vigil.Features.Deployments;
using Vigil.Features.Documents;
using Vigil.Features.Incidents;
using Vigil.Features.Metrics;
using Vigil.Features.Monitors;
using Vigil.Features.Notifications;
using Vigil.Features.OnCall;
using Vigil.Features.Overview;
using Vigil.Features.Runbooks;
using Vigil.Features.Server;
using Vigil.Features.Slos;
using Vigil.Features.StatusPage;
using Vigil.Features.Tasks;
using Vigil.Web;

namespace Vigil.Hosting;

/// <summary>Builds and starts the server. This is the table of contents of the product: one line per area.</summary>
public static class VigilHost
{
    public static WebApplication Build(ServeOptions options, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (options.Tls is { } tls)
        {
            var certificate = TlsCertificate.Load(tls);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = certificate;
                https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
            }));
        }
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Four lines per outgoing request (every scrape and check) drown what an operator needs: they are Debug detail.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // "No XML encryptor configured": the keys that sign console sessions are kept unencrypted in
        // the database, like the secrets they protect; protecting the database protects both (docs/configuration.md).
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        if (options.LogFormat == LogFormat.Json)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json =>
            {
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            });
        }
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);

        var services = builder.Services;
        services.AddSingleton(options.TimeProvider);
        services.AddSingleton(options);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseUnavailableProblems>();
        services.AddOpenApi();
        services.AddRazorComponents();
        services.AddAntiforgery();
        services.AddSingleton(sp => new ConfigReloader(options.ConfigPath, sp.GetServices<IConfigConsumer>(), sp.GetRequiredService<ILogger<ConfigReloader>>(), options.Urls));
        services.AddHostedService<ReloadOnHangup>();

        services.AddVigilData(DatabaseSettings.Parse(options.Database, options.DataDirectory));
        services.AddCluster();
        services.AddAccess();
        services.AddSingleton<IConfigConsumer, Features.Outbound.ApplyOutboundPolicy>();
        services.AddSingleton<Features.Server.ISystemSection, Features.Outbound.OutboundSection>();
        services.AddServer();
        services.AddSingleton<PruneHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<PruneHistory>());
        services.AddCatalog();
        services.AddOnCall();
        services.AddMetricsEngine();
        services.AddMonitors();
        services.AddAlerting();
        services.AddNotifications();
        services.AddIncidents();
        services.AddSlos();
        services.AddRunbooks();
        services.AddTasks();
        services.AddStatusPage();
        services.AddBackups();
        services.AddDocuments();
        services.AddDashboards();
        services.AddDeployments();
        services.AddCost();
        services.AddCapacity();
        services.AddSingleton<Features.OnCall.Escalation.IPageObserver, OperatorLog.PageEvents>();
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseForwardedClient();
        app.UseSecurityHeaders();
        app.UseBadRequestProblems();
        app.UseStatusCodePages();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(VigilHost).Assembly, "Vigil.wwwroot"),
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=3600",
        });
        app.UseStatusPageHosts();
        app.UseRouting();
        app.UseHttpMetrics();
        app.UseAccessEnforcement();
        app.UseAntiforgery();

        app.MapOpenApi().RequirePermission(Permission.SystemView);
        app.MapPost("/-/reload", ReloadConfig).RequirePermission(Permission.ConfigReload).WithTags("System");
        // Every API endpoint, whichever slice maps it, gets the same limits on free text.
        var api = app.MapGroup("");
        api.AddEndpointFilterFactory(TextLimits.Filter);
        api.MapAccess();
        api.MapServer();
        // Mapped here, not by the cluster slice: the cluster is beneath access (whose archiver runs
        // under a lease), so it does not reach up for access's permissions itself.
        api.MapGet("/api/system/cluster", ReadCluster.Handle).RequirePermission(Permission.SystemView).WithTags("System");
        api.MapCatalog();
        api.MapOnCall();
        api.MapMetricsApi();
        api.MapMonitors();
        api.MapAlerting();
        api.MapNotifications();
        api.MapIncidents();
        api.MapSlos();
        api.MapRunbooks();
        api.MapTasks();
        api.MapStatusPage();
        api.MapBackups();
        api.MapDocuments();
        api.MapDeployments();
        api.MapCost();
        api.MapDashboards();
        api.MapCapacity();
        api.MapOverview();
        app.MapRazorComponents<App>().Add(DeclareFrameworkEndpoints);
        return app;
    }

    /// <summary>Builds, migrates the database, applies the configuration, and starts listening.</summary>
    public static async Task<WebApplication> StartAsync(ServeOptions options, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        // Before anything is written: a port in use must not cost the one-time password of the first admin.
        ListenAddresses.EnsureFree(options.Urls);
        ThreadPoolFloor.Raise();
        DataFileModes.Restrict(options.DataDirectory);
        var app = Build(options, configureServices);
        // Uptime counts from here, not from the first request that asks for it.
        app.Services.GetRequiredService<ProcessClock>();
        await DataModule.MigrateAsync(app.Services, cancellationToken);
        await ShareDataProtectionKeys.ImportFileKeysAsync(app.Services, options.DataDirectory, cancellationToken);
        ShareDataProtectionKeys.EnsureKey(app.Services);
        await Features.Monitors.ProtectMonitorSecrets.RunAsync(app.Services, cancellationToken);
        await BootstrapAdministrator.OnFirstStartAsync(app.Services, cancellationToken);
        // Apply the file, and learn the configuration the other replicas run (or publish this one's).
        var result = await app.Services.GetRequiredService<ShareConfigReloads>().JoinAsync(cancellationToken);
        if (!result.Applied)
        {
            await app.DisposeAsync();
            throw result.Errors.Count > 0
                ? new ConfigException(result.Errors)
                : new InvalidOperationException(result.Message);
        }
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>
    /// The components framework maps <c>/_framework/opaque-redirect</c> (redirects of enhanced
    /// navigation, which the console does not use). It gets a permission like every other endpoint:
    /// signed-in users only.
    /// </summary>
    private static void DeclareFrameworkEndpoints(EndpointBuilder endpoint)
    {
        if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } pattern } && pattern.TrimStart('/').StartsWith("_framework/", StringComparison.Ordinal))
        {
            endpoint.Metadata.Add(new RequirePermissionAttribute(Permission.AccountSelf));
        }
    }

    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        json.DictionaryKeyPolicy = null;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    /// <summary><c>POST /-/reload</c>, as Prometheus has it: reload the config file; an invalid one is refused and the running one kept.</summary>
    internal static async Task<Results<Ok<ReloadStatus>, ProblemHttpResult>> ReloadConfig(ConfigReloader reloader, ShareConfigReloads replicas, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        // On every replica: this one reloads now, the others within ShareConfigReloads.PollEvery.
        var result = await replicas.ReloadEverywhereAsync(cancellationToken);
        audit.Record("reload", "config", reloader.Path, new { applied = result.Applied, fingerprint = reloader.Current.Fingerprint, errors = result.Errors.Count });
        await db.SaveChangesAsync(cancellationToken);
        if (result.Applied)
        {
            return TypedResults.Ok(new ReloadStatus("reloaded", reloader.Current.Fingerprint));
        }
        return TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Configuration rejected",
            detail: result.Message,
            extensions: new Dictionary<string, object?> { ["errors"] = result.Errors.Select(e => e.ToString()).ToArray() });
    }

    public sealed record ReloadStatus(string Status, string Fingerprint);

    /// <summary>Reloads the configuration on SIGHUP, as Prometheus and Alertmanager do (and tells the other replicas).</summary>
    private sealed class ReloadOnHangup(ShareConfigReloads reloader, IHostApplicationLifetime lifetime, ILogger<ReloadOnHangup> logger) : IHostedService
    {
        private PosixSignalRegistration? registration;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                logger.LogInformation("SIGHUP: reloading the configuration");
                _ = ReloadAsync();
            });
            return Task.CompletedTask;
        }

        // Nobody awaits a signal's reload: a failure is logged, never lost.
        private async Task ReloadAsync()
        {
            try
            {
                await reloader.ReloadEverywhereAsync(lifetime.ApplicationStopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Reloading the configuration on SIGHUP failed; the previous configuration stays in force");
            }
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            registration?.Dispose();
            return Task.CompletedTask;
        }
    }
}
