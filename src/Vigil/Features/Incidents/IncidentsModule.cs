using Vigil.Features.Access;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.OnCall.Escalation;

namespace Vigil.Features.Incidents;

public static class IncidentsModule
{
    public static IServiceCollection AddIncidents(this IServiceCollection services) => services
        .AddScoped<IncidentWorkspace>()
        .AddScoped<IIncidentOpener, OpenIncidentFromAlerts>()
        .AddSingleton<IPageObserver, RecordPageEvents>()
        .AddSingleton<IIncidentReader, ReadIncidents>()
        .AddSingleton<IPersonalDataHolder, IncidentPersonalData>()
        .AddSingleton<WatchIncidentTimers>()
        .AddHostedService(sp => sp.GetRequiredService<WatchIncidentTimers>());

    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/incidents").WithTags("Incidents");
        api.MapGet("/", ListIncidents.Handle).RequirePermission(Permission.IncidentsView).WithName("ListIncidents");
        api.MapGet("/metrics", IncidentMetrics.Handle).RequirePermission(Permission.IncidentsView).WithName("IncidentMetrics");
        api.MapGet("/{id}", IncidentDetails.Handle).RequirePermission(Permission.IncidentsView).WithName("GetIncident");
        api.MapPost("/", OpenIncident.Handle).RequirePermission(Permission.IncidentsRespond).WithName("OpenIncident");
        api.MapPost("/{id}/transition", ChangeIncidentStatus.Transition).RequirePermission(Permission.IncidentsRespond).WithName("TransitionIncident");
        api.MapPost("/{id}/ack", ChangeIncidentStatus.Acknowledge).RequirePermission(Permission.IncidentsRespond).WithName("AcknowledgeIncident");
        api.MapPost("/{id}/resolve", ChangeIncidentStatus.Resolve).RequirePermission(Permission.IncidentsRespond).WithName("ResolveIncident");
        api.MapPost("/{id}/reopen", ChangeIncidentStatus.Reopen).RequirePermission(Permission.IncidentsRespond).WithName("ReopenIncident");
        api.MapPut("/{id}/roles", AssignIncidentRoles.Handle).RequirePermission(Permission.IncidentsRespond).WithName("AssignIncidentRoles");
        api.MapPut("/{id}/visibility", PublishIncident.Handle).RequirePermission(Permission.IncidentsRespond).WithName("PublishIncident");
        api.MapPut("/{id}/services", ChangeAffectedServices.Handle).RequirePermission(Permission.IncidentsRespond).WithName("ChangeAffectedServices");
        api.MapPost("/{id}/notes", AddIncidentNote.Handle).RequirePermission(Permission.IncidentsRespond).WithName("AddIncidentNote");
        api.MapPost("/{id}/updates", PostStatusUpdate.Handle).RequirePermission(Permission.IncidentsRespond).WithName("PostStatusUpdate");
        api.MapGet("/{id}/postmortem", WritePostMortem.Get).RequirePermission(Permission.IncidentsView).WithName("GetPostMortem");
        api.MapPut("/{id}/postmortem", WritePostMortem.Put).RequirePermission(Permission.IncidentsRespond).WithName("PutPostMortem");
        api.MapGet("/{id}/postmortem.md", WritePostMortem.Markdown).RequirePermission(Permission.IncidentsView).WithName("ExportPostMortem");
        api.MapPost("/{id}/action-items", TrackActionItems.Add).RequirePermission(Permission.IncidentsRespond).WithName("AddActionItem");
        app.MapGet("/api/action-items", TrackActionItems.List).RequirePermission(Permission.IncidentsView).WithTags("Incidents").WithName("ListActionItems");
        app.MapPut("/api/action-items/{itemId:int}", TrackActionItems.Update).RequirePermission(Permission.IncidentsRespond).WithTags("Incidents").WithName("UpdateActionItem");
        return app;
    }
}
