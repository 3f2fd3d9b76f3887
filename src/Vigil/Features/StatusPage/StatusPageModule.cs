using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

public static class StatusPageModule
{
    public static IServiceCollection AddStatusPage(this IServiceCollection services) => services
        .AddSingleton<StatusChanges>()
        .AddSingleton<StatusPageCache>()
        .AddSingleton<ShareStatusChanges>()
        .AddHostedService(sp => sp.GetRequiredService<ShareStatusChanges>())
        .AddSingleton<IConfigConsumer, SyncStatusPagesFromConfig>();

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        // The public page: anyone may read it, without signing in (docs/statuspage.md).
        app.MapGet("/status/{slug}", (string slug, HttpContext context, StatusPageCache cache) => ServeStatusPage.Handle(slug, null, context, cache))
            .AllowAnonymousCaller().WithTags("Status page").ExcludeFromDescription();
        app.MapGet("/status/{slug}/{**view}", ServeStatusPage.Handle).AllowAnonymousCaller().WithTags("Status page").ExcludeFromDescription();

        var api = app.MapGroup("/api/status-pages").WithTags("Status page");
        api.MapGet("/", SaveStatusPage.List).RequirePermission(Permission.StatusPagesManage).WithName("ListStatusPages");
        api.MapGet("/{name}", SaveStatusPage.Get).RequirePermission(Permission.StatusPagesManage).WithName("GetStatusPage");
        api.MapPost("/", SaveStatusPage.Create).RequirePermission(Permission.StatusPagesManage).WithName("CreateStatusPage");
        api.MapPut("/{name}", SaveStatusPage.Update).RequirePermission(Permission.StatusPagesManage).WithName("UpdateStatusPage");
        api.MapDelete("/{name}", SaveStatusPage.Delete).RequirePermission(Permission.StatusPagesManage).WithName("DeleteStatusPage");
        return app;
    }
}
