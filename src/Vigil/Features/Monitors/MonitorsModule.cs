using Microsoft.Extensions.DependencyInjection.Extensions;
using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Features.Monitors.Health;
using Vigil.Features.Monitors.Heartbeats;
using Vigil.Features.Monitors.Probes;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Features.Monitors.Uptime;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Monitors;

public static class MonitorsModule
{
    public static IServiceCollection AddMonitors(this IServiceCollection services)
    {
        // The metrics slice registers the embedded TSDB as the ISampleStore and replaces this
        // in-memory stand-in; monitors only ever talk to the interface.
        services.TryAddSingleton<ISampleStore, MemorySampleStore>();
        services.TryAddSingleton<IMaintenanceCalendar, NoMaintenance>();
        AddProbes(services);
        services.AddSingleton<MonitorEvents>();
        services.AddSingleton<MonitorStates>();
        services.AddSingleton<MonitoringOptions>();
        services.AddSingleton<StateChangeWriter>();
        services.AddSingleton<SampleWriter>();
        services.AddSingleton<RecordCheckResult>();
        services.AddSingleton<MonitorLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<MonitorLoop>());
        services.AddSingleton<IConfigConsumer, SyncMonitorsFromConfig>();
        return services;
    }

    /// <summary>The probes and the runner, without the server's loop: <c>vigil monitor test</c> uses these alone.</summary>
    public static IServiceCollection AddProbes(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HttpExchange>();
        services.AddSingleton<IMonitorProbe, HttpProbe>();
        services.AddSingleton<IMonitorProbe, TcpProbe>();
        services.AddSingleton<IMonitorProbe, DnsProbe>();
        services.AddSingleton<IMonitorProbe, TlsProbe>();
        services.AddSingleton<IMonitorProbe, HeartbeatProbe>();
        services.AddSingleton<IMonitorProbe, DependencyHealthProbe>();
        services.AddSingleton<IMonitorProbe, MultiStepProbe>();
        services.AddSingleton<IMonitorProbe, WebSocketProbe>();
        services.AddSingleton<IMonitorProbe, IcmpProbe>();
        services.AddSingleton<CheckRunner>();
        return services;
    }

    public static IEndpointRouteBuilder MapMonitors(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/monitors").WithTags("Monitors");
        api.MapGet("/", ReadMonitors.List).RequirePermission(Permission.MonitorsView).WithName("ListMonitors");
        api.MapGet("/{name}", ReadMonitors.Get).RequirePermission(Permission.MonitorsView).WithName("GetMonitor");
        api.MapGet("/{name}/uptime", GetUptime.Handle).RequirePermission(Permission.MonitorsView).WithName("GetMonitorUptime");
        api.MapPost("/", SaveMonitor.Create).RequirePermission(Permission.MonitorsEdit).WithName("CreateMonitor");
        api.MapPut("/{name}", SaveMonitor.Update).RequirePermission(Permission.MonitorsEdit).WithName("UpdateMonitor");
        api.MapDelete("/{name}", ReadMonitors.Delete).RequirePermission(Permission.MonitorsEdit).WithName("DeleteMonitor");
        api.MapPost("/{name}/check", RunMonitor.CheckNow).RequirePermission(Permission.MonitorsEdit).WithName("CheckMonitorNow");
        api.MapPost("/{name}/pause", RunMonitor.Pause).RequirePermission(Permission.MonitorsEdit).WithName("PauseMonitor");
        api.MapPost("/{name}/resume", RunMonitor.Resume).RequirePermission(Permission.MonitorsEdit).WithName("ResumeMonitor");
        app.MapGet("/api/services/{name}/status", GetServiceStatus.Handle).RequirePermission(Permission.MonitorsView).WithTags("Monitors").WithName("GetServiceStatus");
        string[] methods = ["GET", "HEAD", "POST", "PUT"];
        app.MapMethods("/ping/{token}", methods, (string token, HttpRequest request, Data.VigilDbContext db, RecordCheckResult record, MonitorStates states, Access.SecretProtector secrets, TimeProvider clock, IEnumerable<IPingBodyReader> readers, CancellationToken ct) =>
            ReceivePing.Handle(token, null, request, db, record, states, secrets, clock, readers, ct)).AllowAnonymousCaller().DisableAntiforgery().WithTags("Monitors");
        app.MapMethods("/ping/{token}/{kind}", methods, ReceivePing.Handle).AllowAnonymousCaller().DisableAntiforgery().WithTags("Monitors");
        return app;
    }
}
