using Prometheus;
using Vigil.Features.Access;

namespace Vigil.Features.Server;

public static class ServerModule
{
    public static IServiceCollection AddServer(this IServiceCollection services)
    {
        services.AddSingleton<ProcessClock>();
        services.AddSingleton<CpuSampler>();
        services.AddSingleton<IHealthContributor, DatabaseHealth>();
        services.AddSingleton<IHealthContributor, DiskSpaceHealth>();
        services.AddForwardedHeaders();
        services.AddSingleton<GetReadiness>();
        services.AddSingleton<ShareConfigReloads>();
        services.AddHostedService(sp => sp.GetRequiredService<ShareConfigReloads>());
        return services;
    }

    public static IEndpointRouteBuilder MapServer(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetLiveness.Handle).AllowAnonymousCaller().WithTags("System");
        app.MapGet("/health/ready", (GetReadiness readiness, CancellationToken cancellationToken) => readiness.Handle(cancellationToken)).AllowAnonymousCaller().WithTags("System");
        app.MapGet("/api/health", GetHealth.Handle).RequirePermission(Permission.SystemView).WithTags("System");
        app.MapGet("/api/system/info", GetSystemInfo.Handle).RequirePermission(Permission.SystemView).WithTags("System");
        // The server's own metrics in Prometheus text format: HTTP requests by route and status,
        // process and GC (prometheus-net's default collectors).
        app.MapMetrics("/metrics").RequirePermission(Permission.SystemView);
        return app;
    }
}
