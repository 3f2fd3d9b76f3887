using Vigil.Features.Access;

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
        return services;
    }

    public static IEndpointRouteBuilder MapAlerting(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rules", ListRules.Vigil).RequirePermission(Permission.AlertsView).WithTags("Alerting");
        app.MapGet("/prometheus/api/v1/rules", ListRules.Prometheus).RequirePermission(Permission.AlertsView).WithTags("Metrics (Prometheus API)");
        app.MapGet("/prometheus/api/v1/alerts", ListRules.PrometheusAlerts).RequirePermission(Permission.AlertsView).WithTags("Metrics (Prometheus API)");
        app.MapPost("/api/v2/alerts", Inbound.ReceiveAlertmanagerAlerts.Handle).RequireIntegrationToken().DisableAntiforgery().WithTags("Alerting");
        app.MapPost("/api/integrations/pagerduty/enqueue", Inbound.ReceivePagerDutyEvent.Handle).RequireIntegrationToken().DisableAntiforgery().WithTags("Alerting");
        app.MapPost("/api/integrations/webhook/{name}", Inbound.ReceiveWebhookAlert.Handle).RequireIntegrationToken().DisableAntiforgery().WithTags("Alerting");
        return app;
    }
}
