using Microsoft.Extensions.DependencyInjection.Extensions;
using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Alerting.Silences;
using Vigil.Features.Monitors;

namespace Vigil.Features.Alerting;

public static class AlertingModule
{
    public static IServiceCollection AddAlerting(this IServiceCollection services)
    {
        services.AddSingleton<ReceiveAlerts>();
        services.AddSingleton<IAlertIngest>(sp => sp.GetRequiredService<ReceiveAlerts>());
        services.AddSingleton<Evaluation.EvaluateRules>();
        services.AddSingleton<Configuration.IConfigConsumer>(sp => sp.GetRequiredService<Evaluation.EvaluateRules>());
        services.AddHostedService(sp => sp.GetRequiredService<Evaluation.EvaluateRules>());
        services.AddSingleton<MonitorRules.RaiseMonitorAlerts>();
        services.AddSingleton<Configuration.IConfigConsumer>(sp => sp.GetRequiredService<MonitorRules.RaiseMonitorAlerts>());
        services.AddHostedService(sp => sp.GetRequiredService<MonitorRules.RaiseMonitorAlerts>());
        services.AddSingleton<Inbound.IntegrationTokens>();
        services.AddSingleton<Configuration.IConfigConsumer>(sp => sp.GetRequiredService<Inbound.IntegrationTokens>());
        services.AddSingleton<ActiveMaintenanceSource>();
        services.AddSingleton<AnnounceMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<AnnounceMaintenance>());
        services.AddSingleton<Hosting.IHistoryPruner, Dispatch.PruneAlertHistory>();
        services.AddSingleton<IConfigConsumer, SyncMaintenanceFromConfig>();
        // Maintenance windows take the place of the monitors' stand-in calendar, so uptime leaves them out.
        services.Replace(ServiceDescriptor.Singleton<IMaintenanceCalendar, MaintenanceCalendar>());
        services.AddSingleton<DispatchAlerts>();
        services.AddSingleton<DispatchLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<DispatchLoop>());
        services.AddSingleton<Access.IPersonalDataHolder, Silences.SilencePersonalData>();
        return services;
    }

    public static IEndpointRouteBuilder MapAlerting(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rules", ListRules.Vigil).RequirePermission(Permission.AlertsView).WithTags("Alerting");
        app.MapGet("/prometheus/api/v1/rules", ListRules.Prometheus).RequirePermission(Permission.AlertsView).WithTags("Metrics (Prometheus API)");
        app.MapGet("/prometheus/api/v1/alerts", ListRules.PrometheusAlerts).RequirePermission(Permission.AlertsView).WithTags("Metrics (Prometheus API)");
        app.MapPost("/api/v2/alerts", Inbound.ReceiveAlertmanagerAlerts.Handle).RequireIntegrationToken().DisableAntiforgery().WithTags("Alerting");
        // Alertmanager's API v2 for the tools that read and silence (amtool, dashboards), beside the
        // POST /api/v2/alerts senders use: amtool --alertmanager.url is Vigil's base URL, with a user's API token.
        var alertmanager = app.MapGroup("/api/v2").WithTags("Alertmanager API v2");
        alertmanager.MapGet("/alerts", AlertmanagerApi.ListAlertmanagerAlerts.Handle).RequirePermission(Permission.AlertsView);
        alertmanager.MapGet("/silences", AlertmanagerApi.ListAlertmanagerSilences.Handle).RequirePermission(Permission.AlertsView);
        alertmanager.MapGet("/silence/{id}", AlertmanagerApi.ListAlertmanagerSilences.Get).RequirePermission(Permission.AlertsView);
        alertmanager.MapPost("/silences", AlertmanagerApi.CreateAlertmanagerSilence.Handle).RequirePermission(Permission.AlertsSilence);
        alertmanager.MapDelete("/silence/{id}", AlertmanagerApi.ExpireAlertmanagerSilence.Handle).RequirePermission(Permission.AlertsSilence);
        alertmanager.MapGet("/status", AlertmanagerApi.ShowAlertmanagerStatus.Handle).RequirePermission(Permission.AlertsView);
        app.MapPost("/api/integrations/pagerduty/enqueue", Inbound.ReceivePagerDutyEvent.Handle).RequireIntegrationToken().DisableAntiforgery().WithTags("Alerting");
        app.MapPost("/api/integrations/webhook/{name}", Inbound.ReceiveWebhookAlert.Handle).RequireIntegrationToken().DisableAntiforgery().WithTags("Alerting");
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

        var maintenance = app.MapGroup("/api/maintenance-windows").WithTags("Maintenance");
        maintenance.MapGet("/", SaveMaintenanceWindow.List).RequirePermission(Permission.AlertsView).WithName("ListMaintenanceWindows");
        maintenance.MapPost("/", SaveMaintenanceWindow.Create).RequirePermission(Permission.AlertsSilence).WithName("CreateMaintenanceWindow");
        maintenance.MapPut("/{name}", SaveMaintenanceWindow.Update).RequirePermission(Permission.AlertsSilence).WithName("UpdateMaintenanceWindow");
        maintenance.MapDelete("/{name}", SaveMaintenanceWindow.Delete).RequirePermission(Permission.AlertsSilence).WithName("DeleteMaintenanceWindow");
        return app;
    }
}
