using Vigil.Features.Access;

namespace Vigil.Features.Dashboards;

/// <summary>Dashboards: saved PromQL panels on a grid, Grafana import, and the built-in System Health dashboard.</summary>
public static class DashboardsModule
{
    public static IServiceCollection AddDashboards(this IServiceCollection services)
    {
        services.AddScoped<ShowDashboard>();
        services.AddHostedService<CreateSystemHealthDashboard>();
        return services;
    }

    public static IEndpointRouteBuilder MapDashboards(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/dashboards").WithTags("Dashboards");
        api.MapGet("/", ManageDashboards.List).RequirePermission(Permission.DashboardsView).WithName("ListDashboards");
        api.MapGet("/{id:int}", ManageDashboards.Get).RequirePermission(Permission.DashboardsView).WithName("GetDashboard");
        api.MapGet("/{id:int}/export", ManageDashboards.Export).RequirePermission(Permission.DashboardsView).WithName("ExportDashboard");
        api.MapPost("/", ManageDashboards.Create).RequirePermission(Permission.DashboardsManage).WithName("CreateDashboard");
        api.MapPut("/{id:int}", ManageDashboards.Update).RequirePermission(Permission.DashboardsManage).WithName("UpdateDashboard");
        api.MapDelete("/{id:int}", ManageDashboards.Delete).RequirePermission(Permission.DashboardsManage).WithName("DeleteDashboard");
        api.MapPost("/import/grafana", ImportGrafanaDashboard.Handle).RequirePermission(Permission.DashboardsManage).WithName("ImportGrafanaDashboard");
        return app;
    }
}
