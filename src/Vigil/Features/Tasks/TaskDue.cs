namespace Vigil.Features.Tasks;

public enum TaskState
{
    /// <summary>Nothing is due: the last due time was done (or none has come yet).</summary>
    Upcoming,
    /// <summary>A due time has passed and the task is not done, but it is within its grace.</summary>
    Due,
    /// <summary>Not done by its due time plus grace: it alerts until it is done.</summary>
    Overdue,
}

/// <summary>Where a task stands at a moment, and why.</summary>
/// <param name="DueAt">The earliest due time not yet done, if any.</param>
/// <param name="LatestDueAt">The latest due time not after now that is not done (what a completion now covers).</param>
public sealed record TaskDue(TaskState State, DateTimeOffset? DueAt, DateTimeOffset? LatestDueAt, DateTimeOffset? OverdueSince, DateTimeOffset? NextDueAt)
{
    /// <summary>
    /// The decision, without I/O. Due times count from when the task was created (no backlog for a
    /// new task) or from the last due time that was done: a completion covers every due time up to it.
    /// </summary>
    public static TaskDue Decide(TaskSchedule schedule, DateTimeOffset since, DateTimeOffset? doneThrough, TimeSpan grace, DateTimeOffset now)
    {
        var from = doneThrough is { } done && done > since ? done : since;
        DateTimeOffset? first = null, latest = null;
        foreach (var due in schedule.Between(from, now))
        {
            first ??= due;
            latest = due;
        }
        var next = schedule.After(latest ?? (now > from ? now : from)).Select(t => (DateTimeOffset?)t).FirstOrDefault();
        if (first is not { } pending)
        {
            return new TaskDue(TaskState.Upcoming, null, null, null, next);
        }
        return now >= pending + grace
            ? new TaskDue(TaskState.Overdue, pending, latest, pending + grace, next)
            : new TaskDue(TaskState.Due, pending, latest, null, next);
    }
}
