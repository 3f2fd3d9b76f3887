using Vigil.Metrics;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Capacity;

public sealed record ForecastPoint(DateTimeOffset At, double Value);

/// <summary>A row of the growth projection table (003's "6 Month Projections", "12 Month Projections").</summary>
public sealed record ProjectionRow(string When, DateTimeOffset At, double? Trend, double? Growth);

/// <summary>One series' history and where it is heading.</summary>
/// <param name="SlopePerDay">The least-squares trend's change a day.</param>
/// <param name="LimitReachedByTrend">When the trend line reaches the limit (now when it is already there); null when it never does or there is no limit.</param>
/// <param name="LimitReachedByGrowth">When the declared growth model reaches the limit from the current value.</param>
public sealed record SeriesForecast(
    IReadOnlyDictionary<string, string> Labels,
    double? Current,
    double? SlopePerDay,
    DateTimeOffset? LimitReachedByTrend,
    DateTimeOffset? LimitReachedByGrowth,
    IReadOnlyList<ProjectionRow> Projection,
    IReadOnlyList<ForecastPoint> History,
    IReadOnlyList<ForecastPoint> Trend,
    IReadOnlyList<ForecastPoint> Growth);

/// <summary>
/// Forecasts from a series' history, as pure functions of the points and <c>now</c>: the least-squares
/// line <c>predict_linear</c> fits (<see cref="LinearTrend"/>), extended to the horizon, and the declared
/// <see cref="GrowthModel"/> compounded from the current value.
/// </summary>
public static class Forecast
{
    /// <summary>Six and twelve months, as a twelfth of a 365-day year each (the <see cref="GrowthModel"/>'s month).</summary>
    public static IReadOnlyList<(string When, TimeSpan After)> ProjectionPoints { get; } =
        [("now", TimeSpan.Zero), ("+6 months", TimeSpan.FromDays(365) / 2), ("+12 months", TimeSpan.FromDays(365))];

    /// <summary>How many points the forecast lines have at most.</summary>
    private const int ForecastSteps = 120;

    public static SeriesForecast Of(IReadOnlyDictionary<string, string> labels, IReadOnlyList<Sample> points, DateTimeOffset now, TimeSpan horizon, double? limit, GrowthModel? growth)
    {
        var history = points.Select(p => new ForecastPoint(DateTimeOffset.FromUnixTimeMilliseconds(p.TimestampMs), p.Value)).ToList();
        var current = points.Count > 0 ? points[^1].Value : (double?)null;
        var nowMs = now.ToUnixTimeMilliseconds();
        double? slope = null, intercept = null;
        if (points.Count >= 2)
        {
            var (s, i) = LinearTrend.Fit([.. points], nowMs);
            if (double.IsFinite(s) && double.IsFinite(i))
            {
                (slope, intercept) = (s, i);
            }
        }
        double? TrendAt(TimeSpan after) => intercept + (slope * after.TotalSeconds);
        double? GrowthAt(TimeSpan after) => current is { } c && growth is not null ? growth.Project(c, after) : null;

        var step = horizon / ForecastSteps;
        var trend = new List<ForecastPoint>();
        var grown = new List<ForecastPoint>();
        for (var i = 0; i <= ForecastSteps; i++)
        {
            var after = step * i;
            if (TrendAt(after) is { } t)
            {
                trend.Add(new(now + after, t));
            }
            if (GrowthAt(after) is { } g)
            {
                grown.Add(new(now + after, g));
            }
        }
        var projection = ProjectionPoints.Select(p => new ProjectionRow(p.When, now + p.After, TrendAt(p.After), GrowthAt(p.After))).ToList();
        var byTrend = limit is { } l && intercept is { } b && slope is { } m ? LinearTimeToReach(b, m, l) : null;
        var byGrowth = limit is { } gl && current is { } cv ? growth?.TimeToReach(cv, gl) : null;
        return new SeriesForecast(labels, current, slope * 86400, now + byTrend, now + byGrowth, projection, history, trend, grown);
    }

    /// <summary>When value + slope × t reaches <paramref name="limit"/>: (limit − value) / slope; zero when it is there, null when it never gets there.</summary>
    public static TimeSpan? LinearTimeToReach(double value, double slopePerSecond, double limit)
    {
        if (value >= limit)
        {
            return TimeSpan.Zero;
        }
        if (!(slopePerSecond > 0))
        {
            return null;
        }
        var seconds = (limit - value) / slopePerSecond;
        return seconds < TimeSpan.FromDays(365 * 1000).TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }
}
