using NodaTime;
using NodaTime.TimeZones;

namespace Vigil.Features.OnCall;

/// <summary>
/// Who is on call, as a pure function of a schedule and instants. Each layer gives its shifts,
/// cut to its restrictions; where several layers have someone, the later layer wins; overrides
/// win over every layer (a later override over an earlier one); where no one has a shift nobody
/// is on call. Hand-offs and restrictions are local times in the schedule's zone, turned into
/// instants with <see cref="Resolve"/>.
/// </summary>
public static class OnCallTimeline
{
    /// <summary>
    /// A local time the clocks skip (02:30 on the spring-forward night in Europe/Berlin) means the
    /// moment the clocks jump (03:00 local, the first instant after the gap); a local time that
    /// happens twice (02:30 on the fall-back night) means the earlier of the two.
    /// </summary>
    public static readonly ZoneLocalMappingResolver Resolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    public static Instant Resolve(LocalDateTime local, DateTimeZone zone) => local.InZone(zone, Resolver).ToInstant();

    /// <summary>How far around the instant <see cref="WhoIsOnCall"/> looks to find where the current shift began and ends.</summary>
    public static readonly Duration Horizon = Duration.FromDays(62);

    /// <summary>The shift covering <paramref name="at"/>, or null when nobody is on call then.</summary>
    public static Shift? WhoIsOnCall(Schedule schedule, Instant at) =>
        Shifts(schedule, at - Horizon, at + Horizon).FirstOrDefault(s => s.Start <= at && at < s.End);

    /// <summary>The final shifts in [<paramref name="from"/>, <paramref name="to"/>), cut to that range, in time order, adjacent pieces of the same person and source joined.</summary>
    public static IReadOnlyList<Shift> Shifts(Schedule schedule, Instant from, Instant to)
    {
        if (to <= from)
        {
            return [];
        }
        var layers = schedule.Layers.Select(l => LayerShifts(l, schedule.Zone, from, to).ToList()).ToList();
        var overrides = schedule.Overrides
            .Where(o => o.Start < to && o.End > from)
            .Select(o => new Shift(o.User, Max(o.Start, from), Min(o.End, to), "override", true))
            .ToList();
        var boundaries = new SortedSet<Instant> { from, to };
        foreach (var piece in layers.SelectMany(l => l).Concat(overrides))
        {
            boundaries.Add(piece.Start);
            boundaries.Add(piece.End);
        }
        var result = new List<Shift>();
        Instant? previous = null;
        foreach (var boundary in boundaries)
        {
            if (previous is { } start)
            {
                var winner = overrides.LastOrDefault(o => Covers(o, start))
                    ?? layers.Select(l => l.FirstOrDefault(s => Covers(s, start))).LastOrDefault(s => s is not null);
                if (winner is not null)
                {
                    Append(result, winner with { Start = start, End = boundary });
                }
            }
            previous = boundary;
        }
        return result;
    }

    private static bool Covers(Shift shift, Instant at) => shift.Start <= at && at < shift.End;

    private static void Append(List<Shift> result, Shift piece)
    {
        if (result.Count > 0 && result[^1] is var last && last.End == piece.Start && last.User == piece.User && last.Source == piece.Source)
        {
            result[^1] = last with { End = piece.End };
            return;
        }
        result.Add(piece);
    }

    /// <summary>One layer's own shifts overlapping [from, to), cut to it and to the layer's restrictions.</summary>
    public static IEnumerable<Shift> LayerShifts(ScheduleLayer layer, DateTimeZone zone, Instant from, Instant to) => layer switch
    {
        RotationLayer rotation => RotationShifts(rotation, zone, from, to)
            .SelectMany(s => Restrict(s, rotation.Restrictions, zone)),
        CalendarLayer calendar => calendar.Events
            .Where(e => e.Start < to && e.End > from && e.End > e.Start)
            .OrderBy(e => e.Start)
            .Select(e => new Shift(e.User, Max(e.Start, from), Min(e.End, to), calendar.Name, false)),
        _ => [],
    };

    private static IEnumerable<Shift> RotationShifts(RotationLayer layer, DateTimeZone zone, Instant from, Instant to)
    {
        if (layer.Participants.Count == 0 || layer.LengthHours <= 0)
        {
            yield break;
        }
        // Start one turn early: the local hours elapsed and the instants differ by the zone's offsets.
        var localFrom = from.InZone(zone).LocalDateTime;
        var elapsedHours = Period.Between(layer.Anchor, localFrom, PeriodUnits.Hours).Hours;
        var turn = Math.Max(0, FloorDivide(elapsedHours, layer.LengthHours) - 1);
        while (true)
        {
            var start = Resolve(layer.Anchor.PlusHours(turn * layer.LengthHours), zone);
            if (start >= to)
            {
                yield break;
            }
            var end = Resolve(layer.Anchor.PlusHours((turn + 1) * layer.LengthHours), zone);
            if (end > from && end > start)
            {
                var user = layer.Participants[(int)(turn % layer.Participants.Count)];
                yield return new Shift(user, Max(start, from), Min(end, to), layer.Name, false);
            }
            turn++;
        }
    }

    /// <summary>The parts of <paramref name="shift"/> inside the restriction windows (all of it when there are none).</summary>
    private static IEnumerable<Shift> Restrict(Shift shift, IReadOnlyList<Restriction> restrictions, DateTimeZone zone)
    {
        if (restrictions.Count == 0)
        {
            yield return shift;
            yield break;
        }
        var windows = new List<(Instant Start, Instant End)>();
        var firstDay = shift.Start.InZone(zone).Date.PlusDays(-1);
        var lastDay = shift.End.InZone(zone).Date;
        for (var day = firstDay; day <= lastDay; day = day.PlusDays(1))
        {
            foreach (var r in restrictions.Where(r => r.Days.Contains(day.DayOfWeek)))
            {
                var start = Resolve(day + r.From, zone);
                var end = Resolve((r.To > r.From ? day : day.PlusDays(1)) + r.To, zone);
                var cutStart = Max(start, shift.Start);
                var cutEnd = Min(end, shift.End);
                if (cutStart < cutEnd)
                {
                    windows.Add((cutStart, cutEnd));
                }
            }
        }
        foreach (var (start, end) in windows.OrderBy(w => w.Start))
        {
            yield return shift with { Start = start, End = end };
        }
    }

    private static long FloorDivide(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private static Instant Min(Instant a, Instant b) => a < b ? a : b;
}
