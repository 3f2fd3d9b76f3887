using NodaTime;

namespace Vigil.Features.OnCall;

/// <summary>A schedule ready to be asked "who is on call": parsed, validated, in its zone.</summary>
public sealed record Schedule(string Name, DateTimeZone Zone, IReadOnlyList<ScheduleLayer> Layers, IReadOnlyList<ScheduleOverride> Overrides);

/// <summary>One layer of a schedule; a later layer wins over an earlier one.</summary>
public abstract record ScheduleLayer(string Name);

/// <summary>
/// Participants take turns of <see cref="LengthHours"/> hours of local wall-clock time, the first
/// turn starting at <see cref="Anchor"/> (local). Local arithmetic is what keeps a 09:00 hand-off at
/// 09:00 across daylight-saving changes: the turn over the change is an hour shorter or longer.
/// </summary>
public sealed record RotationLayer(
    string Name, LocalDateTime Anchor, long LengthHours, IReadOnlyList<string> Participants, IReadOnlyList<Restriction> Restrictions)
    : ScheduleLayer(Name);

/// <summary>Shifts taken as they are from a calendar (an imported iCalendar file or URL).</summary>
public sealed record CalendarLayer(string Name, IReadOnlyList<CalendarShift> Events) : ScheduleLayer(Name);

public sealed record CalendarShift(string User, Instant Start, Instant End);

/// <summary>The layer is active on <see cref="Days"/> from <see cref="From"/> to <see cref="To"/> local time; <see cref="To"/> at or before <see cref="From"/> ends the next day.</summary>
public sealed record Restriction(IReadOnlySet<IsoDayOfWeek> Days, LocalTime From, LocalTime To);

public sealed record ScheduleOverride(string User, Instant Start, Instant End);

/// <summary>A piece of the final timeline: who is on call, from when to when, and which layer (or an override) put them there.</summary>
public sealed record Shift(string User, Instant Start, Instant End, string Source, bool IsOverride)
{
    public Duration Length => End - Start;
}
