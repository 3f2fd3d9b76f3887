using Vigil.Features.Access;

namespace Vigil.Features.Deployments;

public static class DeploymentsModule
{
    public static IServiceCollection AddDeployments(this IServiceCollection services) =>
        services
            .AddSingleton<DeploymentSeries>()
            .AddHostedService(sp => sp.GetRequiredService<DeploymentSeries>())
            .AddSingleton<CanaryAnalysis>()
            .AddHostedService(sp => sp.GetRequiredService<CanaryAnalysis>())
            .AddHttpClient(CanaryAnalysis.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).Services;

    public static IEndpointRouteBuilder MapDeployments(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/deployments").WithTags("Deployments");
        api.MapGet("/", ListDeployments.Handle).RequirePermission(Permission.DeploymentsView).WithName("ListDeployments");
        api.MapGet("/{id:int}/analysis", CanaryAnalysis.Get).RequirePermission(Permission.DeploymentsView).WithName("GetDeploymentAnalysis");
        api.MapGet("/{id:int}", ListDeployments.Get).RequirePermission(Permission.DeploymentsView).WithName("GetDeployment");
        api.MapPost("/", RecordDeployment.Handle).RequirePermission(Permission.DeploymentsWrite).WithName("RecordDeployment");
        api.MapPost("/{id:int}/start", ChangeDeploymentStatus.Start).RequirePermission(Permission.DeploymentsWrite).WithName("StartDeployment");
        api.MapPost("/{id:int}/finish", ChangeDeploymentStatus.Finish).RequirePermission(Permission.DeploymentsWrite).WithName("FinishDeployment");
        api.MapPost("/{id:int}/rollback", ChangeDeploymentStatus.Rollback).RequirePermission(Permission.DeploymentsWrite).WithName("RollbackDeployment");
        api.MapPost("/{id:int}/gates/{gate}", TickGate.Handle).RequirePermission(Permission.DeploymentsWrite).WithName("TickDeploymentGate");
        api.MapPost("/{id:int}/approve", ApproveDeployment.Handle).RequirePermission(Permission.DeploymentsApprove).WithName("ApproveDeployment");
        api.MapPost("/webhook/{token}", ReceiveDeploymentWebhook.Handle).RequireIntegrationToken().WithName("ReceiveDeploymentWebhook");
        return app;
    }
}
