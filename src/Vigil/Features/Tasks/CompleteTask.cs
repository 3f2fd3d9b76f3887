using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting;
using Vigil.Features.OnCall;
using Vigil.Hosting;

namespace Vigil.Features.Tasks;

/// <summary>
/// <c>POST /api/tasks/{name}/complete</c> with <c>{"note": "...", "link": "https://..."}</c>: the
/// assignee (the user, a holder of the role, or whoever is on call at the due time) — or someone who
/// may manage tasks — marks every due time up to now done (or, when nothing is due, the next one).
/// Evidence is required: a note or a link. An overdue task's alert is resolved at once.
/// </summary>
public static class CompleteTask
{
    public sealed record CompletionBody(string? Note, string? Link);

    public sealed record CompletionView(string Task, DateTimeOffset DueAt, DateTimeOffset CompletedAt, string CompletedBy, string? Note, string? Link);

    public static async Task<Results<Ok<CompletionView>, ValidationProblem, ProblemHttpResult>> Handle(
        string name, CompletionBody? body, VigilDbContext db, ImportedCalendars calendars, AuditLog audit, IAlertIngest alerts,
        HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var note = body?.Note?.Trim();
        var link = body?.Link?.Trim();
        if (string.IsNullOrEmpty(note) && string.IsNullOrEmpty(link))
        {
            return Problems.Field("note", "evidence is required: a note (what was done, pasted output) or a link");
        }
        if (!string.IsNullOrEmpty(link) && !(Uri.TryCreate(link, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            return Problems.Field("link", $"\"{link}\" is not an absolute http(s) URL");
        }
        if (note?.Length > 4000)
        {
            return Problems.Field("note", "at most 4000 characters");
        }
        var now = clock.GetUtcNow();
        if ((await TaskBoard.LoadAsync(db, calendars, now, cancellationToken, name)).SingleOrDefault() is not { } task)
        {
            return Problems.NotFound($"no task named \"{name}\"");
        }
        var caller = http.Caller();
        if (!caller.Has(Permission.TasksManage) && !await IsAssigneeAsync(task, caller, db, cancellationToken))
        {
            return Problems.Forbidden("task", $"only the assignee ({task.Definition.Assignee}{(task.AssigneeUser is { } u && task.Definition.Assignee?.User is null ? $": {u}" : "")}) or a manager may complete \"{name}\"");
        }
        var dueAt = task.Due.LatestDueAt ?? task.Due.NextDueAt;
        if (dueAt is null)
        {
            return Problems.Conflict($"task \"{name}\" has no due time left to complete");
        }
        var completion = new TaskCompletion { Task = name, DueAt = dueAt.Value, CompletedAt = now, CompletedBy = caller.Username ?? "system", Note = note, Link = link };
        db.Add(completion);
        audit.Record("complete", "task", name, new { due_at = dueAt.Value, note, link });
        await db.SaveChangesAsync(cancellationToken);
        if (task.Due.State == TaskState.Overdue)
        {
            await alerts.PutAsync([TaskBoard.AlertOf(task, now)], cancellationToken);
        }
        return TypedResults.Ok(new CompletionView(name, completion.DueAt, now, completion.CompletedBy, note, link));
    }

    private static async Task<bool> IsAssigneeAsync(TaskStatusRow task, Caller caller, VigilDbContext db, CancellationToken cancellationToken)
    {
        if (caller.UserId is not { } userId)
        {
            return false;
        }
        if (task.Definition.Assignee?.Role is { } role)
        {
            return await db.RoleAssignments.AnyAsync(r => r.UserId == userId && r.Role == role, cancellationToken);
        }
        return task.AssigneeUser is { } user && string.Equals(user, caller.Username, StringComparison.Ordinal);
    }
}
