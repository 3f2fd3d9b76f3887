namespace Vigil.Features.Slos;

public static class SlosModule
{
    public static IServiceCollection AddSlos(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapSlos(this IEndpointRouteBuilder app) => app;
}
