using Vigil.Features.Access;

namespace Vigil.Features.Overview;

/// <summary>The home overview: a composition of the other areas' read models, with no tables of its own.</summary>
public static class OverviewModule
{
    public static IEndpointRouteBuilder MapOverview(this IEndpointRouteBuilder app)
    {
        // Anyone who may see the catalog may ask; each section is then left out unless the caller may see its area.
        app.MapGet("/api/overview", ReadOverview.Handle).RequirePermission(Permission.CatalogView).WithTags("Overview").WithName("GetOverview");
        return app;
    }
}
