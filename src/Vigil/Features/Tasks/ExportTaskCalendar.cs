using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Vigil.Data;
using Vigil.Features.OnCall;

namespace Vigil.Features.Tasks;

/// <summary>
/// <c>GET /api/tasks/calendar.ics?mine=true</c>: the tasks' due times as an iCalendar feed (RFC 5545):
/// every due time from 30 days back to 90 days ahead, one VEVENT each lasting the task's grace, named
/// after the task and its assignee; a due time already done says so.
/// </summary>
public static class ExportTaskCalendar
{
    public static async Task<IResult> Handle(bool? mine, VigilDbContext db, ImportedCalendars calendars, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var tasks = await TaskBoard.LoadAsync(db, calendars, now, cancellationToken);
        if (mine == true)
        {
            tasks = await ReadTasks.MineAsync(tasks, Access.CallerHttpContextExtensions.Caller(http), db, cancellationToken);
        }
        var calendar = new Calendar { ProductId = "-//Vigil//Tasks//EN" };
        foreach (var task in tasks)
        {
            var errors = new List<Configuration.FieldError>();
            var schedule = TaskSchedule.TryCompile(task.Definition, errors, "")!;
            var doneThrough = task.LastCompletion?.DueAt;
            foreach (var due in schedule.Between(now.AddDays(-30), now.AddDays(90)).Take(500))
            {
                var done = doneThrough is { } d && due <= d;
                calendar.Events.Add(new CalendarEvent
                {
                    Uid = $"{task.Row.Name}-{due.UtcDateTime:yyyyMMddTHHmmssZ}@vigil",
                    Summary = $"{(done ? "Done: " : "")}{task.Title} ({task.AssigneeUser ?? task.Definition.Assignee?.ToString()})",
                    Description = string.Join("\n", task.Definition.Checklist.Select(c => $"[ ] {c}")),
                    DtStart = new CalDateTime(due.UtcDateTime),
                    DtEnd = new CalDateTime((due + (task.Definition.GraceTime > TimeSpan.Zero ? task.Definition.GraceTime : TimeSpan.FromMinutes(30))).UtcDateTime),
                    DtStamp = new CalDateTime(now.UtcDateTime),
                });
            }
        }
        return Results.Text(new CalendarSerializer().SerializeToString(calendar) ?? "", "text/calendar; charset=utf-8");
    }
}
