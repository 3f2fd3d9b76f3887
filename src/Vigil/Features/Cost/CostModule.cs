using Vigil.Features.Access;

namespace Vigil.Features.Cost;

/// <summary>Cost: billing imports (FOCUS CSV, simple monthly lists), allocation to services, budgets, cost series and alerts.</summary>
public static class CostModule
{
    public static IServiceCollection AddCost(this IServiceCollection services) =>
        services
            .AddSingleton<EvaluateCost>()
            .AddHostedService(sp => sp.GetRequiredService<EvaluateCost>());

    public static IEndpointRouteBuilder MapCost(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/cost").WithTags("Cost");
        api.MapPost("/imports", ImportCost.Handle).RequirePermission(Permission.CostManage).WithName("ImportCost");
        api.MapGet("/imports", ImportCost.List).RequirePermission(Permission.CostView).WithName("ListCostImports");
        api.MapGet("/report", DescribeCostMonth.Handle).RequirePermission(Permission.CostView).WithName("DescribeCostMonth");
        return app;
    }
}
