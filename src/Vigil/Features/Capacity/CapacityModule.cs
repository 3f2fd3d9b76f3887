using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Rules;

namespace Vigil.Features.Capacity;

public static class CapacityModule
{
    public static IServiceCollection AddCapacity(this IServiceCollection services)
    {
        services.AddSingleton<CapacityCatalog>();
        services.AddSingleton<IRuleGroupSource>(sp => sp.GetRequiredService<CapacityCatalog>());
        services.AddSingleton<IConfigConsumer>(sp => sp.GetRequiredService<CapacityCatalog>());
        return services;
    }

    /// <summary>Reading capacity is reading metrics: <see cref="Permission.MetricsView"/>.</summary>
    public static IEndpointRouteBuilder MapCapacity(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Capacity");
        api.MapGet("/capacity", ReadCapacity.List).RequirePermission(Permission.MetricsView).WithName("ListCapacity");
        api.MapGet("/capacity/{service}", ReadCapacity.Get).RequirePermission(Permission.MetricsView).WithName("GetCapacity");
        api.MapGet("/capacity/{service}/forecast", ForecastCapacity.ForResource).RequirePermission(Permission.MetricsView).WithName("ForecastCapacity");
        api.MapGet("/forecast", ForecastCapacity.ForQuery).RequirePermission(Permission.MetricsView).WithName("ForecastQuery");
        return app;
    }
}
