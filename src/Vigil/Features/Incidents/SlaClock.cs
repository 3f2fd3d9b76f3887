namespace Vigil.Features.Incidents;

public enum SlaState
{
    /// <summary>Running, less than the warning share spent.</summary>
    Running,
    /// <summary>Running, at least the warning share spent: <c>IncidentSlaAtRisk</c> fires.</summary>
    AtRisk,
    /// <summary>Running past its target.</summary>
    Breached,
    /// <summary>Stopped within the target.</summary>
    Met,
    /// <summary>Stopped after the target.</summary>
    Missed,
}

/// <param name="Target">"response" (time to acknowledge) or "resolution" (time to resolve).</param>
/// <param name="Spent">Time counted so far (business time when the severity has a calendar).</param>
/// <param name="DueAt">When the target is reached.</param>
public sealed record SlaTimer(string Target, TimeSpan Limit, TimeSpan Spent, DateTimeOffset DueAt, SlaState State)
{
    public bool Breached => State is SlaState.Breached or SlaState.Missed;
}

/// <summary>
/// Time to acknowledge and to resolve against a severity's targets, at <c>now</c>. With a
/// business calendar only its working hours count (the seeds' "4 hours during business hours").
/// </summary>
public static class SlaClock
{
    public static IReadOnlyList<SlaTimer> Evaluate(DateTimeOffset openedAt, DateTimeOffset? acknowledgedAt, DateTimeOffset? resolvedAt, SeverityDefinition? severity, BusinessCalendar? calendar, double warning, DateTimeOffset now)
    {
        var timers = new List<SlaTimer>(2);
        if (severity?.Response is { } response)
        {
            // A resolved incident that nobody acknowledged stopped its response clock when it resolved.
            timers.Add(Timer("response", response, openedAt, acknowledgedAt ?? resolvedAt, calendar, warning, now));
        }
        if (severity?.Resolution is { } resolution)
        {
            timers.Add(Timer("resolution", resolution, openedAt, resolvedAt, calendar, warning, now));
        }
        return timers;
    }

    /// <summary>Time between two instants, counting only business time when there is a calendar.</summary>
    public static TimeSpan Between(DateTimeOffset from, DateTimeOffset to, BusinessCalendar? calendar) =>
        to <= from ? TimeSpan.Zero : calendar?.Elapsed(from, to) ?? to - from;

    private static SlaTimer Timer(string name, TimeSpan limit, DateTimeOffset start, DateTimeOffset? stop, BusinessCalendar? calendar, double warning, DateTimeOffset now)
    {
        var spent = Between(start, stop ?? now, calendar);
        var due = calendar?.Add(start, limit) ?? start + limit;
        var state = stop is not null
            ? (spent <= limit ? SlaState.Met : SlaState.Missed)
            : spent > limit ? SlaState.Breached
            : spent >= limit * warning ? SlaState.AtRisk
            : SlaState.Running;
        return new SlaTimer(name, limit, spent, due, state);
    }
}
