using Microsoft.EntityFrameworkCore;
using NodaTime;
using Vigil.Data;
using Vigil.Features.Alerting;
using Vigil.Features.Catalog;
using Vigil.Features.OnCall;
using Vigil.Metrics;

namespace Vigil.Features.Tasks;

/// <summary>A task with where it stands now and who is to do it.</summary>
/// <param name="AssigneeUser">The user who is to do it: the task's user, or whoever is on call on its schedule at the due time (the next one when nothing is due).</param>
public sealed record TaskStatusRow(StoredTask Row, TaskDefinition Definition, TaskDue Due, string? AssigneeUser, TaskCompletion? LastCompletion)
{
    public string Title => Definition.Title ?? Definition.Name!;
}

/// <summary>Reads the tasks and decides where each stands (<see cref="TaskDue.Decide"/>); shared by the API, the console, the calendar and the overdue alerts.</summary>
public static class TaskBoard
{
    public const string AlertName = "TaskOverdue";
    public const string Category = "task";

    public static async Task<List<TaskStatusRow>> LoadAsync(VigilDbContext db, ImportedCalendars calendars, DateTimeOffset now, CancellationToken cancellationToken, string? name = null)
    {
        var rows = await db.Set<StoredTask>().AsNoTracking().Where(t => name == null || t.Name == name).OrderBy(t => t.Name).ToListAsync(cancellationToken);
        var names = rows.Select(r => r.Name).ToList();
        var completions = await db.Set<TaskCompletion>().AsNoTracking().Where(c => names.Contains(c.Task)).ToListAsync(cancellationToken);
        var last = completions.GroupBy(c => c.Task).ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.DueAt).ThenByDescending(c => c.Id).First());
        List<LoadedSchedule>? schedules = null;
        var result = new List<TaskStatusRow>();
        foreach (var row in rows)
        {
            var definition = row.Definition();
            var errors = new List<Configuration.FieldError>();
            if (TaskSchedule.TryCompile(definition, errors, "") is not { } schedule)
            {
                continue;
            }
            var done = last.GetValueOrDefault(row.Name);
            var due = TaskDue.Decide(schedule, row.CreatedAt, done?.DueAt, definition.GraceTime, now);
            var user = definition.Assignee?.User;
            if (definition.Assignee?.Schedule is { } scheduleName && (due.DueAt ?? due.NextDueAt) is { } at)
            {
                schedules ??= await ReadSchedules.LoadAsync(db, calendars, null, cancellationToken);
                user = schedules.FirstOrDefault(s => s.Row.Name == scheduleName) is { } loaded
                    ? OnCallTimeline.WhoIsOnCall(loaded.Schedule, Instant.FromDateTimeOffset(at))?.User
                    : null;
            }
            result.Add(new TaskStatusRow(row, definition, due, user, done));
        }
        return result;
    }

    /// <summary>
    /// The overdue alert of a task: <c>alertname="TaskOverdue"</c>, <c>task</c>, <c>category="task"</c>,
    /// <c>severity</c>, and who is to do it — <c>assignee</c> (a user), <c>assignee_role</c> or
    /// <c>assignee_schedule</c> — plus the task's own labels, so a route can send it to the assignee's channel.
    /// </summary>
    public static IncomingAlert AlertOf(TaskStatusRow task, DateTimeOffset? endsAt)
    {
        var d = task.Definition;
        var labels = Labels.Of("alertname", AlertName, "task", d.Name!, "category", Category, "severity", d.Severity);
        if (task.AssigneeUser is { } user)
        {
            labels = labels.With("assignee", user);
        }
        if (d.Assignee?.Role is { } role)
        {
            labels = labels.With("assignee_role", role);
        }
        if (d.Assignee?.Schedule is { } schedule)
        {
            labels = labels.With("assignee_schedule", schedule);
        }
        foreach (var (key, value) in d.Labels)
        {
            labels = labels.With(key, value);
        }
        var annotations = Labels.Of(
            "summary", $"Task \"{task.Title}\" is overdue: it was due {task.Due.DueAt:yyyy-MM-dd HH:mm} UTC ({d.Assignee})",
            "description", d.Checklist.Count == 0 ? "" : "Checklist: " + string.Join("; ", d.Checklist));
        if (d.Runbook is { } runbook)
        {
            annotations = annotations.With("runbook", runbook);
        }
        return new IncomingAlert(labels, annotations, task.Due.OverdueSince, endsAt, $"/tasks#{Uri.EscapeDataString(d.Name!)}", "task");
    }

    public static bool IsConfig(StoredTask row) => row.Origin == ObjectOrigin.Config;
}
