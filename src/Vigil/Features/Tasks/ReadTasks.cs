using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.OnCall;
using Vigil.Hosting;

namespace Vigil.Features.Tasks;

/// <summary>
/// <c>GET /api/tasks?state=due|overdue|upcoming&amp;mine=true</c> and <c>GET /api/tasks/{name}</c> (with its completions):
/// each task with where it stands now and who is to do it.
/// </summary>
public static class ReadTasks
{
    public sealed record TaskView(
        string Name, string Title, string Origin, string? Cron, string? Rrule, string TimeZone, string Assignee, string? AssigneeUser,
        IReadOnlyList<string> Checklist, string? Runbook, string Grace, TaskState State, DateTimeOffset? DueAt, DateTimeOffset? OverdueSince,
        DateTimeOffset? NextDueAt, CompleteTask.CompletionView? LastCompletion, IReadOnlyList<CompleteTask.CompletionView>? Completions)
    {
        public static TaskView From(TaskStatusRow t, IReadOnlyList<TaskCompletion>? completions = null) => new(
            t.Row.Name, t.Title, TaskBoard.IsConfig(t.Row) ? "config" : "api", t.Definition.Cron, t.Definition.Rrule, t.Definition.TimeZone,
            t.Definition.Assignee?.ToString() ?? "", t.AssigneeUser, t.Definition.Checklist, t.Definition.Runbook, Configuration.Duration.Format(t.Definition.GraceTime),
            t.Due.State, t.Due.DueAt, t.Due.OverdueSince, t.Due.NextDueAt, t.LastCompletion is { } c ? View(c) : null,
            completions?.Select(View).ToList());

        private static CompleteTask.CompletionView View(TaskCompletion c) => new(c.Task, c.DueAt, c.CompletedAt, c.CompletedBy, c.Note, c.Link);
    }

    public static async Task<Results<Ok<List<TaskView>>, ValidationProblem>> List(
        string? state, bool? mine, VigilDbContext db, ImportedCalendars calendars, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        TaskState? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<TaskState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
            {
                return Problems.Field("state", $"\"{state}\" is not one of upcoming, due, overdue");
            }
            wanted = parsed;
        }
        var tasks = await TaskBoard.LoadAsync(db, calendars, clock.GetUtcNow(), cancellationToken);
        if (mine == true)
        {
            tasks = await MineAsync(tasks, http.Caller(), db, cancellationToken);
        }
        return TypedResults.Ok(tasks.Where(t => wanted is null || t.Due.State == wanted).Select(t => TaskView.From(t)).ToList());
    }

    public static async Task<Results<Ok<TaskView>, ProblemHttpResult>> Get(
        string name, VigilDbContext db, ImportedCalendars calendars, TimeProvider clock, CancellationToken cancellationToken)
    {
        if ((await TaskBoard.LoadAsync(db, calendars, clock.GetUtcNow(), cancellationToken, name)).SingleOrDefault() is not { } task)
        {
            return Problems.NotFound($"no task named \"{name}\"");
        }
        var completions = await db.Set<TaskCompletion>().AsNoTracking().Where(c => c.Task == name).OrderByDescending(c => c.CompletedAt).Take(100).ToListAsync(cancellationToken);
        return TypedResults.Ok(TaskView.From(task, completions));
    }

    /// <summary>"My tasks": those assigned to the caller by name, by one of their roles, or by the schedule they are on call on at the due time.</summary>
    public static async Task<List<TaskStatusRow>> MineAsync(List<TaskStatusRow> tasks, Caller caller, VigilDbContext db, CancellationToken cancellationToken)
    {
        var roles = caller.UserId is { } id
            ? await db.RoleAssignments.Where(r => r.UserId == id).Select(r => r.Role).ToListAsync(cancellationToken)
            : [];
        return tasks.Where(t => (t.AssigneeUser is { } user && user == caller.Username) || (t.Definition.Assignee?.Role is { } role && roles.Contains(role))).ToList();
    }
}
