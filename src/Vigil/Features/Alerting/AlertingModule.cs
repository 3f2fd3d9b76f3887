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
        return services;
    }
}
