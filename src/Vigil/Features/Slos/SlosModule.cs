using Vigil.Configuration;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Rules;

namespace Vigil.Features.Slos;

public static class SlosModule
{
    public static IServiceCollection AddSlos(this IServiceCollection services)
    {
        services.AddSingleton<SloCatalog>();
        services.AddSingleton<IRuleGroupSource>(sp => sp.GetRequiredService<SloCatalog>());
        services.AddSingleton<IConfigConsumer, SyncSlosFromConfig>();
        services.AddScoped<MeasureSlo>();
        services.AddSingleton<ISloReader, SloReader>();
        return services;
    }

    public static IEndpointRouteBuilder MapSlos(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/slos").WithTags("SLOs");
        api.MapGet("/", ReadSlos.List).RequirePermission(Permission.SlosView).WithName("ListSlos");
        api.MapGet("/{name}", ReadSlos.Get).RequirePermission(Permission.SlosView).WithName("GetSlo");
        api.MapGet("/{name}/history", ReadSlos.History).RequirePermission(Permission.SlosView).WithName("GetSloHistory");
        api.MapGet("/{name}/report", GetSloReport.Handle).RequirePermission(Permission.SlosView).WithName("GetSloReport");
        api.MapPost("/", SaveSlo.Create).RequirePermission(Permission.SlosManage).WithName("CreateSlo");
        api.MapPut("/{name}", SaveSlo.Update).RequirePermission(Permission.SlosManage).WithName("UpdateSlo");
        api.MapDelete("/{name}", SaveSlo.Delete).RequirePermission(Permission.SlosManage).WithName("DeleteSlo");
        api.MapPost("/import", ImportSlos.Handle).RequirePermission(Permission.SlosManage).WithName("ImportSlos");
        return app;
    }
}
