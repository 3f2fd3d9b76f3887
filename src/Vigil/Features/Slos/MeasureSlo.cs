using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Features.Monitors.Uptime;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Slos;

/// <summary>
/// The error ratio of a span of time and how many events (or, for availability, seconds of known
/// state) it held; for availability, also the seconds of the span whose state is unknown (before the
/// first check, while Vigil was not running), which are neither good nor bad.
/// </summary>
public readonly record struct Measurement(double? ErrorRatio, double Events, double? UnknownSeconds = null);

/// <summary>An SLO's error ratio and burn rate over one lookback window.</summary>
public sealed record BurnRateView(string Window, double? ErrorRatio, double? BurnRate);

/// <summary>What a target allows: the seeds' "99.9 % = 8.77 hours of downtime a year" figures.</summary>
public sealed record AllowedDowntime(double PerYearSeconds, string PerYear, double PerMonthSeconds, string PerMonth, double PerWindowSeconds, string PerWindow)
{
    public static AllowedDowntime For(Slo slo, DateTimeOffset now)
    {
        var (year, month, window) = (ErrorBudget.AllowedDowntime(slo.Target, ErrorBudget.Year), ErrorBudget.AllowedDowntime(slo.Target, ErrorBudget.Month), ErrorBudget.AllowedDowntime(slo.Target, slo.PeriodLength(now)));
        return new(year.TotalSeconds, ErrorBudget.Describe(year), month.TotalSeconds, ErrorBudget.Describe(month), window.TotalSeconds, ErrorBudget.Describe(window));
    }
}

/// <summary>
/// One SLO now: its window so far, attainment, budget remaining and the burn rate of each recorded
/// window; for availability, the seconds of the window Vigil has no state for (<see cref="Measurement.UnknownSeconds"/>).
/// </summary>
public sealed record SloStatus(
    Slo Slo, DateTimeOffset At, Interval Window, double? ErrorRatio, double? Attainment, double? BudgetRemaining,
    IReadOnlyList<BurnRateView> BurnRates, AllowedDowntime Allowed, double? UnknownSeconds = null);

/// <summary>
/// How much of an SLO's error budget is spent, one rule for every place that shows it (the SLO pages
/// and API, the month report, the budget chart, incidents, the status page).
/// Event SLOs (ratio, latency, and mean latency whose events are its one-minute slices): the budget is (1 − target) × the window's events, so a part of the
/// window spends its bad events / (window events × (1 − target)).
/// Availability SLOs are time-based: the budget is (1 − target) × the whole SLO period, known or not
/// (99.95 % over 30 days allows 21.6 minutes), as the SRE workbook ("Implementing SLOs": "the error
/// budget ... over a four-week window"), Sloth and Grafana SLO count it. A 600 s outage spends
/// 600 / 1296 = 46.3 % of it on the day Vigil was installed as on any other. Time Vigil did not observe
/// spends nothing and counts as good for nothing: it is reported as unknown, next to the budget.
/// </summary>
public static class SloBudget
{
    /// <summary>The events the whole budget of a window is a share of: its period's seconds for availability, its events otherwise.</summary>
    public static double Base(Slo slo, Measurement window, TimeSpan period) =>
        slo.Kind == SloKind.Availability ? period.TotalSeconds : window.Events;

    /// <summary>The share of the window's whole budget that <paramref name="part"/> spent; null without data.</summary>
    public static double? Consumed(Slo slo, Measurement part, Measurement window, TimeSpan period) =>
        part.ErrorRatio is { } ratio ? ErrorBudget.Consumed(ratio, part.Events, Base(slo, window, period), slo.Target) : null;

    /// <summary>1 − the share the window spent: 1 untouched, 0 spent, below 0 overspent; null without data.</summary>
    public static double? Remaining(Slo slo, Measurement window, TimeSpan period) =>
        slo.Kind == SloKind.Availability
            ? Consumed(slo, window, window, period) is { } spent ? 1 - spent : null
            : ErrorBudget.Remaining(window.ErrorRatio, slo.Target);
}

/// <summary>
/// Measures SLOs. Ratio and latency SLOs are PromQL over the sample store (the same queries the
/// generated rules record); availability SLOs use the monitor pages' uptime function
/// (<see cref="GetUptime.ComputeAsync"/>), never a second computation of uptime.
/// </summary>
public sealed class MeasureSlo(VigilDbContext db, ISampleStore store, PromQLEngine engine, IMaintenanceCalendar maintenance, MonitoringOptions monitoring)
{
    /// <summary>The error ratio over <paramref name="range"/> and its events; for a ratio SLO, PromQL at its end over its length.</summary>
    public async Task<Measurement> MeasureAsync(Slo slo, Interval range, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var length = TimeSpan.FromSeconds(Math.Floor((range.To - range.From).TotalSeconds));
        if (length <= TimeSpan.Zero)
        {
            return new(null, 0);
        }
        if (slo.Kind == SloKind.Availability)
        {
            var monitor = await db.Set<StoredMonitor>().AsNoTracking().SingleOrDefaultAsync(m => m.Name == slo.Monitor, cancellationToken);
            if (monitor is null)
            {
                return new(null, 0);
            }
            var uptime = await GetUptime.ComputeAsync(monitor, range, 0, db, store, maintenance, monitoring.Settings, now, cancellationToken);
            return new(uptime.Percent is { } percent ? 1 - (percent / 100) : null, uptime.UpSeconds + uptime.DegradedSeconds + uptime.DownSeconds, uptime.UnknownSeconds);
        }
        var at = range.To.ToUnixTimeMilliseconds();
        if (slo.Kind == SloKind.MeanLatency)
        {
            // Events are the one-minute slices that had requests: the budget is (1 − target) of them.
            var slices = Single(slo.SliceCountQuery(length), at, cancellationToken);
            return new(slices is > 0 ? Single(slo.ErrorRatioQuery(length), at, cancellationToken) : null, slices ?? 0);
        }
        if (slo.Kind == SloKind.Deployments)
        {
            // Events are the deployments started in the range.
            var started = Single(slo.DeploymentsEnteredQuery(Deployments.DeploymentStatus.InProgress, length), at, cancellationToken);
            return new(started is > 0 ? Single(slo.ErrorRatioQuery(length), at, cancellationToken) : null, started ?? 0);
        }
        var ratio = Single(slo.ErrorRatioQuery(length), at, cancellationToken);
        var rate = Single(slo.TotalRateQuery(length)!, at, cancellationToken);
        return new(ratio, rate is { } perSecond ? perSecond * length.TotalSeconds : 0);
    }

    /// <summary>The SLO's standing at <paramref name="now"/> with the burn rate of every recorded window.</summary>
    public async Task<SloStatus> StatusAsync(Slo slo, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = slo.WindowAt(now);
        var whole = await MeasureAsync(slo, window, now, cancellationToken);
        var burns = new List<BurnRateView>();
        foreach (var lookback in ErrorBudget.RecordedWindows)
        {
            var m = await MeasureAsync(slo, new Interval(now - lookback, now), now, cancellationToken);
            burns.Add(new BurnRateView(Duration.Format(lookback), m.ErrorRatio, ErrorBudget.BurnRate(m.ErrorRatio, slo.Target)));
        }
        return new SloStatus(slo, now, window, whole.ErrorRatio, ErrorBudget.Attainment(whole.ErrorRatio),
            SloBudget.Remaining(slo, whole, slo.PeriodLength(now)), burns, AllowedDowntime.For(slo, now), whole.UnknownSeconds);
    }

    private double? Single(string query, long atMs, CancellationToken cancellationToken)
    {
        try
        {
            return engine.InstantQuery(store, query, atMs, cancellationToken) switch
            {
                VectorValue { Samples: [var only] } when double.IsFinite(only.Value) => only.Value,
                ScalarValue s when double.IsFinite(s.Value) => s.Value,
                _ => null,
            };
        }
        catch (PromQLEvaluationException)
        {
            return null;
        }
    }
}
