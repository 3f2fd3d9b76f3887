using Vigil.Configuration;
using Vigil.Features.Access;

namespace Vigil.Features.Runbooks;

public static class RunbooksModule
{
    public static IServiceCollection AddRunbooks(this IServiceCollection services)
    {
        services.AddSingleton<RunbookCatalog>();
        services.AddSingleton<IConfigConsumer>(sp => sp.GetRequiredService<RunbookCatalog>());
        services.AddScoped<RunbookRuns>();
        services.AddSingleton<RunbookActions>();
        services.AddHttpClient(RunbookActions.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => Outbound.OutboundConnector.Handler(allowRedirects: false));
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
        var runs = app.MapGroup("/api/runbook-runs").WithTags("Runbooks");
        runs.MapGet("/", RunbookRunEndpoints.List).RequirePermission(Permission.RunbooksView).WithName("ListRunbookRuns");
        runs.MapGet("/{id:int}", RunbookRunEndpoints.Get).RequirePermission(Permission.RunbooksView).WithName("GetRunbookRun");
        runs.MapPost("/", RunbookRunEndpoints.Start).RequirePermission(Permission.RunbooksRun).WithName("StartRunbookRun");
        runs.MapPost("/{id:int}/steps/{number:int}", RunbookRunEndpoints.Tick).RequirePermission(Permission.RunbooksRun).WithName("TickRunbookStep");
        runs.MapPost("/{id:int}/steps/{number:int}/execute", RunbookRunEndpoints.Execute).RequirePermission(Permission.RunbooksRun).WithName("ExecuteRunbookStep");
        runs.MapPost("/{id:int}/steps/{number:int}/approve", RunbookRunEndpoints.Approve).RequirePermission(Permission.RunbooksRun).WithName("ApproveRunbookStep");
        runs.MapPost("/{id:int}/finish", RunbookRunEndpoints.Finish).RequirePermission(Permission.RunbooksRun).WithName("FinishRunbookRun");
        return app;
    }
}
