namespace Vigil.Features.Incidents;

public static class IncidentsModule
{
    public static IServiceCollection AddIncidents(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app) => app;
}
