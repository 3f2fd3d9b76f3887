namespace Vigil.Features.Alerting;

public static class AlertingModule
{
    public static IServiceCollection AddAlerting(this IServiceCollection services)
    {
        services.AddSingleton<ReceiveAlerts>();
        services.AddSingleton<IAlertIngest>(sp => sp.GetRequiredService<ReceiveAlerts>());
        return services;
    }
}
