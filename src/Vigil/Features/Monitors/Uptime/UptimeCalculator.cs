namespace Vigil.Features.Monitors.Uptime;

/// <summary>A half-open span of time [From, To).</summary>
public readonly record struct Interval(DateTimeOffset From, DateTimeOffset To)
{
    public bool Contains(DateTimeOffset t) => t >= From && t < To;
}

/// <summary>A state and the instant it began (a row of <c>monitors_state_changes</c>).</summary>
public readonly record struct StatePoint(DateTimeOffset At, MonitorStatus Status);

/// <summary>How the window's time was spent, and uptime = (up + degraded) / (up + degraded + down).</summary>
public sealed record UptimeSummary(TimeSpan Up, TimeSpan Degraded, TimeSpan Down, TimeSpan Unknown, TimeSpan Maintenance)
{
    /// <summary>Percent, or null when no time in the window had a known state.</summary>
    public double? Percent => (Up + Degraded + Down) is var known && known > TimeSpan.Zero
        ? 100.0 * (Up + Degraded).Ticks / known.Ticks
        : null;
}

/// <summary>
/// The one uptime computation, used by the API, the console and (later) the status page, so one
/// window shows one number everywhere. Exact: it sums the lengths of state intervals, it does not
/// count samples. Degraded counts as up (the service answered). Unknown and paused time count
/// neither way. Time inside a maintenance window is left out when <c>excludeMaintenance</c>; time
/// when Vigil was not running is unknown, or the last state before it when <see cref="VigilDowntime.LastState"/>.
/// </summary>
public static class UptimeCalculator
{
    /// <param name="history">State changes in time order, including the last one before the window.</param>
    /// <param name="vigilRunning">When Vigil was running; null when not known (then it counts as running throughout).</param>
    public static UptimeSummary Compute(
        IReadOnlyList<StatePoint> history, Interval window, IReadOnlyList<Interval> maintenance,
        IReadOnlyList<Interval>? vigilRunning, bool excludeMaintenance, VigilDowntime vigilDowntime)
    {
        var cuts = new SortedSet<DateTimeOffset> { window.From, window.To };
        foreach (var t in history.Select(h => h.At)
                     .Concat(maintenance.SelectMany(m => new[] { m.From, m.To }))
                     .Concat((vigilRunning ?? []).SelectMany(r => new[] { r.From, r.To })))
        {
            if (window.Contains(t))
            {
                cuts.Add(t);
            }
        }
        TimeSpan up = default, degraded = default, down = default, unknown = default, inMaintenance = default;
        var points = cuts.ToList();
        var index = -1;
        for (var i = 0; i < points.Count - 1; i++)
        {
            var (from, length) = (points[i], points[i + 1] - points[i]);
            while (index + 1 < history.Count && history[index + 1].At <= from)
            {
                index++;
            }
            var status = index >= 0 ? history[index].Status : MonitorStatus.Unknown;
            if (excludeMaintenance && maintenance.Any(m => m.Contains(from)))
            {
                inMaintenance += length;
                continue;
            }
            if (vigilRunning is not null && vigilDowntime == VigilDowntime.Unknown && !vigilRunning.Any(r => r.Contains(from)))
            {
                status = MonitorStatus.Unknown;
            }
            switch (status)
            {
                case MonitorStatus.Up:
                    up += length;
                    break;
                case MonitorStatus.Degraded:
                    degraded += length;
                    break;
                case MonitorStatus.Down:
                    down += length;
                    break;
                default:
                    unknown += length;
                    break;
            }
        }
        return new UptimeSummary(up, degraded, down, unknown, inMaintenance);
    }

    /// <summary>
    /// The history of a monitor that is paused and was never once up or degraded: a check that never
    /// worked (a wrong URL, a target not deployed yet) and was switched off says nothing about the
    /// service, so its down time is unknown rather than 90 days of 0 % on the monitor and the status
    /// page. Once it has been up even once, its down time is real and stays.
    /// </summary>
    public static List<StatePoint> NeverWorked(IReadOnlyList<StatePoint> history) =>
        [.. history.Select(p => p with { Status = MonitorStatus.Unknown })];

    /// <summary>Per UTC day, oldest first: the status page's 90-day bars.</summary>
    public static IReadOnlyList<(DateOnly Day, UptimeSummary Summary)> Daily(
        IReadOnlyList<StatePoint> history, DateTimeOffset now, int days, IReadOnlyList<Interval> maintenance,
        IReadOnlyList<Interval>? vigilRunning, bool excludeMaintenance, VigilDowntime vigilDowntime)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return [.. Buckets(history, today.AddDays(-(days - 1)), TimeSpan.FromDays(1), days, now, maintenance, vigilRunning, excludeMaintenance, vigilDowntime)
            .Select(b => (DateOnly.FromDateTime(b.Range.From.UtcDateTime), b.Summary))];
    }

    /// <summary>
    /// <paramref name="count"/> consecutive buckets of <paramref name="size"/> from <paramref name="first"/>, the last one
    /// ending at <paramref name="now"/> (the bucket under way), each summarised as <see cref="Compute"/> does: uptime bars.
    /// </summary>
    public static IReadOnlyList<(Interval Range, UptimeSummary Summary)> Buckets(
        IReadOnlyList<StatePoint> history, DateTimeOffset first, TimeSpan size, int count, DateTimeOffset now, IReadOnlyList<Interval> maintenance,
        IReadOnlyList<Interval>? vigilRunning, bool excludeMaintenance, VigilDowntime vigilDowntime) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var from = first + (i * size);
            var range = new Interval(from, i == count - 1 ? now : from + size);
            return (range, Compute(history, range, maintenance, vigilRunning, excludeMaintenance, vigilDowntime));
        })];

    /// <summary>Nearest-rank percentile (p in 0..1) of <paramref name="values"/>, or null when there are none.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
