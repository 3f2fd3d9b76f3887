using Vigil.Features.Access;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Alerting.Silences;

namespace Vigil.Features.Alerting;

public static class AlertingModule
{
    public static IServiceCollection AddAlerting(this IServiceCollection services)
    {
        services.AddSingleton<ReceiveAlerts>();
        services.AddSingleton<IAlertIngest>(sp => sp.GetRequiredService<ReceiveAlerts>());
        services.AddSingleton<ActiveMaintenanceSource>();
        services.AddSingleton<DispatchAlerts>();
        services.AddSingleton<DispatchLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<DispatchLoop>());
        return services;
    }

    public static IEndpointRouteBuilder MapAlerting(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/alerts").WithTags("Alerts");
        alerts.MapGet("/", ListAlerts.Handle).RequirePermission(Permission.AlertsView).WithName("ListAlerts");
        alerts.MapGet("/groups", ListAlerts.Groups).RequirePermission(Permission.AlertsView).WithName("ListAlertGroups");
        alerts.MapGet("/{fingerprint}", ListAlerts.Get).RequirePermission(Permission.AlertsView).WithName("GetAlert");

        var silences = app.MapGroup("/api/silences").WithTags("Silences");
        silences.MapGet("/", ListSilences.Handle).RequirePermission(Permission.AlertsView).WithName("ListSilences");
        silences.MapGet("/{id}", ListSilences.Get).RequirePermission(Permission.AlertsView).WithName("GetSilence");
        silences.MapPost("/", CreateSilence.Handle).RequirePermission(Permission.AlertsSilence).WithName("CreateSilence");
        silences.MapPut("/{id}", ChangeSilence.Extend).RequirePermission(Permission.AlertsSilence).WithName("ExtendSilence");
        silences.MapDelete("/{id}", ChangeSilence.Expire).RequirePermission(Permission.AlertsSilence).WithName("ExpireSilence");
        return app;
    }
}
