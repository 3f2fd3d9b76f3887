using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.Tasks;

/// <summary>
/// <c>POST /api/tasks</c> and <c>DELETE /api/tasks/{name}</c>: tasks made through the API (those of
/// vigil.yaml are read-only here). A bad definition (an unparsable RRULE, two assignees) is a 400
/// naming the field, and nothing is saved.
/// </summary>
public static class SaveTask
{
    public static async Task<Results<Created<ReadTasks.TaskView>, ValidationProblem, ProblemHttpResult>> Create(
        TaskDefinition? body, VigilDbContext db, OnCall.ImportedCalendars calendars, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON task definition is required");
        }
        if (TaskRules.Validate(body, "") is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }
        if (await db.Set<StoredTask>().AnyAsync(t => t.Name == body.Name, cancellationToken))
        {
            return Problems.Conflict($"a task named \"{body.Name}\" already exists");
        }
        var now = clock.GetUtcNow();
        var task = new StoredTask { Name = body.Name!, Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
        task.Apply(body);
        db.Add(task);
        audit.Record("create", "task", task.Name);
        await db.SaveChangesAsync(cancellationToken);
        var created = (await TaskBoard.LoadAsync(db, calendars, now, cancellationToken, task.Name)).Single();
        return TypedResults.Created($"/api/tasks/{task.Name}", ReadTasks.TaskView.From(created));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var task = await db.Set<StoredTask>().SingleOrDefaultAsync(t => t.Name == name, cancellationToken);
        if (task is null)
        {
            return Problems.NotFound($"no task named \"{name}\"");
        }
        if (TaskBoard.IsConfig(task))
        {
            return Problems.Conflict($"task \"{name}\" is defined in the configuration file and is read-only through the API");
        }
        db.Remove(task);
        audit.Record("delete", "task", name);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
