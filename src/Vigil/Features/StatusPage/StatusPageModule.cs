namespace Vigil.Features.StatusPage;

public static class StatusPageModule
{
    public static IServiceCollection AddStatusPage(this IServiceCollection services) => services.AddSingleton<StatusChanges>();

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app) => app;
}
