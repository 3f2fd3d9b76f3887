using Vigil.Configuration;
using Vigil.Features.Access;

namespace Vigil.Features.Runbooks;

public static class RunbooksModule
{
    public static IServiceCollection AddRunbooks(this IServiceCollection services)
    {
        services.AddSingleton<RunbookCatalog>();
        services.AddSingleton<IConfigConsumer>(sp => sp.GetRequiredService<RunbookCatalog>());
        return services;
    }

    public static IEndpointRouteBuilder MapRunbooks(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/runbooks").WithTags("Runbooks");
        api.MapGet("/", ReadRunbooks.List).RequirePermission(Permission.RunbooksView).WithName("ListRunbooks");
        api.MapGet("/{name}", ReadRunbooks.Get).RequirePermission(Permission.RunbooksView).WithName("GetRunbook");
        api.MapGet("/{name}/versions", ReadRunbooks.Versions).RequirePermission(Permission.RunbooksView).WithName("ListRunbookVersions");
        api.MapGet("/{name}/versions/{version:int}", ReadRunbooks.Version).RequirePermission(Permission.RunbooksView).WithName("GetRunbookVersion");
        api.MapPut("/{name}", SaveRunbook.Handle).RequirePermission(Permission.RunbooksEdit).WithName("SaveRunbook");
        return app;
    }
}
