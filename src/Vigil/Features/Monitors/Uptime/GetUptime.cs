using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Hosting;
using Vigil.Metrics;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Monitors.Uptime;

/// <summary>
/// <c>GET /api/monitors/{name}/uptime?window=24h|7d|30d|90d</c> (or <c>from</c>/<c>to</c>):
/// uptime from state intervals, response-time percentiles from the samples, and per-day bars.
/// </summary>
public static class GetUptime
{
    public sealed record DayBar(DateOnly Day, double? Percent, double DownSeconds);

    public sealed record UptimeReport(
        string Monitor, DateTimeOffset From, DateTimeOffset To, double? Percent,
        double UpSeconds, double DegradedSeconds, double DownSeconds, double UnknownSeconds, double MaintenanceSeconds,
        double? P50Seconds, double? P95Seconds, double? P99Seconds, int Checks, IReadOnlyList<DayBar> Days);

    public static readonly Dictionary<string, TimeSpan> Windows = new()
    {
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
        ["90d"] = TimeSpan.FromDays(90),
    };

    public static async Task<Results<Ok<UptimeReport>, ValidationProblem, ProblemHttpResult>> Handle(
        string name, string? window, DateTimeOffset? from, DateTimeOffset? to, int? days,
        VigilDbContext db, ISampleStore samples, IMaintenanceCalendar maintenance, MonitoringOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        Interval range;
        if (from is not null || to is not null)
        {
            if (window is not null)
            {
                return Problems.Field("window", "give either window or from/to");
            }
            range = new Interval(from ?? now.AddDays(-1), to ?? now);
            if (range.To <= range.From)
            {
                return Problems.Field("to", "must be after from");
            }
        }
        else if (Windows.TryGetValue(window ?? "24h", out var length))
        {
            range = new Interval(now - length, now);
        }
        else
        {
            return Problems.Field("window", "must be 24h, 7d, 30d or 90d (or give from and to)");
        }
        if (days is < 0 or > 366)
        {
            return Problems.Field("days", "must be 0 to 366");
        }
        var monitor = await db.Set<StoredMonitor>().AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        if (monitor is null)
        {
            return Problems.NotFound($"no monitor named \"{name}\"");
        }
        var report = await ComputeAsync(monitor, range, days ?? 90, db, samples, maintenance, options.Settings, now, cancellationToken);
        return TypedResults.Ok(report);
    }

    /// <summary>The report for one monitor and window; the console page calls this too.</summary>
    public static async Task<UptimeReport> ComputeAsync(
        StoredMonitor monitor, Interval range, int days, VigilDbContext db, ISampleStore samples, IMaintenanceCalendar maintenance,
        MonitoringSettings settings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var earliest = days > 0 ? Min(range.From, new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-(days - 1))) : range.From;
        var history = await MonitorHistoryAsync(monitor, earliest, range.To > now ? range.To : now, db, cancellationToken);
        var runs = await RunsAsync(db, now, cancellationToken);
        var windows = await maintenance.WindowsAsync(monitor.Service, monitor.Environment, new Interval(earliest, now), cancellationToken);
        var summary = UptimeCalculator.Compute(history, range, windows, runs, settings.ExcludeMaintenance, settings.VigilDowntime);
        var bars = days == 0 ? [] : UptimeCalculator.Daily(history, now, days, windows, runs, settings.ExcludeMaintenance, settings.VigilDowntime)
            .Select(d => new DayBar(d.Day, d.Summary.Percent, d.Summary.Down.TotalSeconds)).ToList();
        var durations = Durations(samples, monitor, range);
        return new UptimeReport(monitor.Name, range.From, range.To, summary.Percent,
            summary.Up.TotalSeconds, summary.Degraded.TotalSeconds, summary.Down.TotalSeconds, summary.Unknown.TotalSeconds, summary.Maintenance.TotalSeconds,
            UptimeCalculator.Percentile(durations, 0.50), UptimeCalculator.Percentile(durations, 0.95), UptimeCalculator.Percentile(durations, 0.99), durations.Count, bars);
    }

    public sealed record Bar(DateTimeOffset From, DateTimeOffset To, double? Percent, double DownSeconds);

    /// <summary>
    /// The uptime bars of a window for the monitor page: 24 hourly bars for <c>24h</c>, daily bars for <c>7d</c> and
    /// <c>30d</c>, aligned to whole UTC hours and days, the last one the hour or day under way.
    /// </summary>
    public static async Task<IReadOnlyList<Bar>> BarsAsync(
        StoredMonitor monitor, string window, VigilDbContext db, IMaintenanceCalendar maintenance, MonitoringSettings settings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var utc = now.UtcDateTime;
        var (size, count, current) = window switch
        {
            "24h" => (TimeSpan.FromHours(1), 24, new DateTimeOffset(utc.Date.AddHours(utc.Hour), TimeSpan.Zero)),
            "7d" => (TimeSpan.FromDays(1), 7, new DateTimeOffset(utc.Date, TimeSpan.Zero)),
            _ => (TimeSpan.FromDays(1), 30, new DateTimeOffset(utc.Date, TimeSpan.Zero)),
        };
        var earliest = current - ((count - 1) * size);
        var history = await MonitorHistoryAsync(monitor, earliest, now, db, cancellationToken);
        var runs = await RunsAsync(db, now, cancellationToken);
        var windows = await maintenance.WindowsAsync(monitor.Service, monitor.Environment, new Interval(earliest, now), cancellationToken);
        return [.. UptimeCalculator.Buckets(history, earliest, size, count, now, windows, runs, settings.ExcludeMaintenance, settings.VigilDowntime)
            .Select(b => new Bar(b.Range.From, b.Range.To, b.Summary.Percent, b.Summary.Down.TotalSeconds))];
    }

    /// <summary>The monitor's states over the range; a paused monitor that never worked counts as never having been up.</summary>
    private static async Task<List<StatePoint>> MonitorHistoryAsync(StoredMonitor monitor, DateTimeOffset from, DateTimeOffset to, VigilDbContext db, CancellationToken cancellationToken)
    {
        var history = await HistoryAsync(db, monitor.Name, from, to, cancellationToken);
        if (monitor.Paused && !await db.Set<StateChange>().AnyAsync(s => s.Monitor == monitor.Name && (s.Status == MonitorStatus.Up || s.Status == MonitorStatus.Degraded), cancellationToken))
        {
            history = UptimeCalculator.NeverWorked(history);
        }
        return history;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>The changes inside the range and the last one before it (the state the range starts in).</summary>
    public static async Task<List<StatePoint>> HistoryAsync(VigilDbContext db, string monitor, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var changes = db.Set<StateChange>().AsNoTracking().Where(s => s.Monitor == monitor);
        var before = await changes.Where(s => s.At <= from).OrderByDescending(s => s.At).ThenByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        var inside = await changes.Where(s => s.At > from && s.At < to).OrderBy(s => s.At).ThenBy(s => s.Id).ToListAsync(cancellationToken);
        return [.. (before is null ? inside : inside.Prepend(before)).Select(s => new StatePoint(s.At, s.Status))];
    }

    /// <summary>When Vigil was running; the current run reaches to now.</summary>
    public static async Task<List<Interval>> RunsAsync(VigilDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var runs = await db.Set<VigilRun>().AsNoTracking().OrderBy(r => r.StartedAt).ToListAsync(cancellationToken);
        return [.. runs.Select((r, i) => new Interval(r.StartedAt, i == runs.Count - 1 ? now : r.LastSeenAt + TimeSpan.FromSeconds(1)))];
    }

    private static List<double> Durations(ISampleStore samples, StoredMonitor monitor, Interval range)
    {
        var series = samples.Select(range.From.ToUnixTimeMilliseconds(), range.To.ToUnixTimeMilliseconds(),
            [LabelMatcher.Equal("__name__", SampleWriter.Duration), LabelMatcher.Equal("monitor", monitor.Name)]);
        var values = series.SelectMany(s => s.Samples).Select(s => s.Value).Where(double.IsFinite).ToList();
        values.Sort();
        return values;
    }
}
