using Vigil.Configuration;
using Vigil.Features.Access;

namespace Vigil.Features.Catalog;

public static class CatalogModule
{
    public static IServiceCollection AddCatalog(this IServiceCollection services) =>
        services.AddSingleton<CatalogChanges>().AddSingleton<IConfigConsumer, SyncCatalogFromConfig>();

    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/services").WithTags("Catalog");
        api.MapGet("/", ListServices.Handle).RequirePermission(Permission.CatalogView).WithName("ListServices");
        api.MapGet("/{name}", GetService.Handle).RequirePermission(Permission.CatalogView).WithName("GetService");
        api.MapPost("/", CreateService.Handle).RequirePermission(Permission.CatalogEdit).WithName("CreateService");
        api.MapPut("/{name}", UpdateService.Handle).RequirePermission(Permission.CatalogEdit).WithName("UpdateService");
        api.MapDelete("/{name}", DeleteService.Handle).RequirePermission(Permission.CatalogEdit).WithName("DeleteService");
        return app;
    }
}
