using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Maintenance;

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
}
