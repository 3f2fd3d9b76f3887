using Vigil.Configuration;
using Vigil.Features.Access;

namespace Vigil.Features.Tasks;

public static class TasksModule
{
    public static IServiceCollection AddTasks(this IServiceCollection services)
    {
        services.AddSingleton<IConfigConsumer, SyncTasksFromConfig>();
        services.AddSingleton<RaiseTaskAlerts>();
        services.AddHostedService(sp => sp.GetRequiredService<RaiseTaskAlerts>());
        return services;
    }

    public static IEndpointRouteBuilder MapTasks(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tasks").WithTags("Tasks");
        api.MapGet("/", ReadTasks.List).RequirePermission(Permission.TasksView).WithName("ListTasks");
        api.MapGet("/calendar.ics", ExportTaskCalendar.Handle).RequirePermission(Permission.TasksView).WithName("ExportTaskCalendar");
        api.MapGet("/{name}", ReadTasks.Get).RequirePermission(Permission.TasksView).WithName("GetTask");
        api.MapPost("/", SaveTask.Create).RequirePermission(Permission.TasksManage).WithName("CreateTask");
        api.MapDelete("/{name}", SaveTask.Delete).RequirePermission(Permission.TasksManage).WithName("DeleteTask");
        api.MapPost("/{name}/complete", CompleteTask.Handle).RequirePermission(Permission.TasksComplete).WithName("CompleteTask");
        return app;
    }
}
