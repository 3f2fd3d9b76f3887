using Vigil.Configuration;
using Vigil.Features.Access;

namespace Vigil.Features.OnCall;

public static class OnCallModule
{
    public static IServiceCollection AddOnCall(this IServiceCollection services) =>
        services
            .AddSingleton<ImportedCalendars>()
            .AddSingleton<IConfigConsumer, SyncSchedulesFromConfig>();

    public static IEndpointRouteBuilder MapOnCall(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/schedules").WithTags("On-call");
        api.MapGet("/", ReadSchedules.List).RequirePermission(Permission.OnCallView).WithName("ListSchedules");
        api.MapGet("/{name}", ReadSchedules.Get).RequirePermission(Permission.OnCallView).WithName("GetSchedule");
        api.MapGet("/{name}/shifts", ReadSchedules.Shifts).RequirePermission(Permission.OnCallView).WithName("ListScheduleShifts");
        api.MapPost("/", SaveSchedule.Create).RequirePermission(Permission.OnCallManage).WithName("CreateSchedule");
        api.MapPut("/{name}", SaveSchedule.Update).RequirePermission(Permission.OnCallManage).WithName("UpdateSchedule");
        api.MapDelete("/{name}", SaveSchedule.Delete).RequirePermission(Permission.OnCallManage).WithName("DeleteSchedule");
        api.MapPost("/{name}/overrides", AddOverride.Handle).RequirePermission(Permission.OnCallOverrideSelf).WithName("AddScheduleOverride");
        api.MapDelete("/{name}/overrides/{id:int}", AddOverride.Delete).RequirePermission(Permission.OnCallOverrideSelf).WithName("DeleteScheduleOverride");
        api.MapPost("/{name}/feed", ExportCalendar.CreateToken).RequirePermission(Permission.OnCallManage).WithName("CreateScheduleFeed");
        // Calendar apps cannot send bearer headers: the feed is authorised by the secret token in its URL.
        api.MapGet("/{name}/calendar.ics", ExportCalendar.Feed).AllowAnonymousCaller().WithName("ScheduleCalendarFeed");
        app.MapGet("/api/oncall", WhoIsOnCall.Handle).RequirePermission(Permission.OnCallView).WithTags("On-call").WithName("WhoIsOnCall");
        return app;
    }
}
