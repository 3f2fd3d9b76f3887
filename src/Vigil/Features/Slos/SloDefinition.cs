using System.Globalization;
using Vigil.Configuration;

namespace Vigil.Features.Slos;

/// <summary>
/// An SLO as written in <c>vigil.yaml</c> under <c>slos:</c> and as sent to <c>POST /api/slos</c>:
/// the same snake_case keys in both, checked by <see cref="SloRules"/>. Exactly one of
/// <see cref="Monitor"/>, <see cref="Ratio"/> and <see cref="Latency"/> says what is measured.
/// </summary>
public sealed class SloDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary>The catalog service the objective belongs to.</summary>
    public string? Service { get; set; }
    public string? Description { get; set; }
    /// <summary><c>99.9</c>, <c>99.9%</c> or <c>0.999</c>: a number above 1 is a percentage.</summary>
    [ConfigRequired]
    public string? Target { get; set; }
    /// <summary><c>28d</c>, <c>30d</c> (rolling) or <c>calendar_month</c>.</summary>
    public string? Window { get; set; } = "30d";
    /// <summary>Availability: the share of time this monitor was up, from the monitor pages' uptime function.</summary>
    public string? Monitor { get; set; }
    public RatioSli? Ratio { get; set; }
    public LatencySli? Latency { get; set; }
}

/// <summary>
/// Good (or bad) events over all events, as two PromQL queries with Sloth's <c>{{.window}}</c> in
/// their range selectors, e.g. <c>sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))</c>.
/// </summary>
public sealed class RatioSli
{
    public string? Good { get; set; }
    /// <summary>Instead of <see cref="Good"/>: the failed events (Sloth's <c>error_query</c>).</summary>
    public string? Bad { get; set; }
    public string? Total { get; set; }
}

/// <summary>The share of requests faster than <see cref="Threshold"/> seconds, from a Prometheus histogram's buckets.</summary>
public sealed class LatencySli
{
    /// <summary>The histogram's name without <c>_bucket</c>, e.g. <c>http_request_duration_seconds</c>.</summary>
    public string? Histogram { get; set; }
    /// <summary>Label matchers without braces, e.g. <c>service="checkout"</c>.</summary>
    public string? Selector { get; set; }
    /// <summary>A bucket boundary of the histogram (its <c>le</c> label as the client writes it, e.g. <c>0.3</c>).</summary>
    public double? Threshold { get; set; }
}

public enum SloKind
{
    Availability,
    Ratio,
    Latency,
}

/// <summary>A validated SLO, as the rest of the area uses it.</summary>
/// <param name="Target">A fraction, e.g. 0.999.</param>
/// <param name="Window">As configured: <c>28d</c>, <c>30d</c> or <c>calendar_month</c>.</param>
public sealed record Slo(
    string Name, string Service, string? Description, double Target, string Window, SloKind Kind,
    string? Monitor, string? GoodQuery, string? BadQuery, string? TotalQuery, Catalog.ObjectOrigin Origin)
{
    /// <summary>Sloth's window placeholder in a ratio query.</summary>
    public const string WindowPlaceholder = "{{.window}}";

    public static readonly string[] Windows = ["28d", "30d", "calendar_month"];

    /// <summary>From a definition <see cref="SloRules.Validate"/> accepted.</summary>
    public static Slo From(SloDefinition d, Catalog.ObjectOrigin origin)
    {
        var target = SloRules.ParseTarget(d.Target)!.Value;
        var window = d.Window ?? "30d";
        if (d.Monitor is not null)
        {
            return new Slo(d.Name!, d.Service!, d.Description, target, window, SloKind.Availability, d.Monitor, null, null, null, origin);
        }
        if (d.Latency is { } latency)
        {
            var threshold = latency.Threshold!.Value.ToString("R", CultureInfo.InvariantCulture);
            var selector = string.IsNullOrWhiteSpace(latency.Selector) ? "" : latency.Selector.Trim() + ",";
            var good = $"sum(rate({latency.Histogram}_bucket{{{selector}le=\"{threshold}\"}}[{WindowPlaceholder}]))";
            var total = $"sum(rate({latency.Histogram}_count{{{selector.TrimEnd(',')}}}[{WindowPlaceholder}]))";
            return new Slo(d.Name!, d.Service!, d.Description, target, window, SloKind.Latency, null, good, null, total, origin);
        }
        var ratio = d.Ratio!;
        return new Slo(d.Name!, d.Service!, d.Description, target, window, SloKind.Ratio, null, ratio.Good, ratio.Bad, ratio.Total, origin);
    }

    /// <summary>
    /// The PromQL of the error ratio (bad / total, 0..1) over <paramref name="window"/>. An availability
    /// SLO reads the <c>vigil_monitor_up</c> samples its monitor writes (1 up or degraded, 0 down).
    /// </summary>
    public string ErrorRatioQuery(TimeSpan window)
    {
        var range = Duration.Format(window);
        string Fill(string query) => query.Replace(WindowPlaceholder, range, StringComparison.Ordinal);
        return Kind switch
        {
            SloKind.Availability => $"1 - avg_over_time({Monitors.Scheduling.SampleWriter.Up}{{monitor=\"{Escape(Monitor!)}\"}}[{range}])",
            _ when BadQuery is not null => $"({Fill(BadQuery)}) / ({Fill(TotalQuery!)})",
            _ => $"1 - (({Fill(GoodQuery!)}) / ({Fill(TotalQuery!)}))",
        };
    }

    /// <summary>The PromQL of the number of events per second over <paramref name="window"/> (ratio and latency kinds).</summary>
    public string? TotalRateQuery(TimeSpan window) =>
        TotalQuery?.Replace(WindowPlaceholder, Duration.Format(window), StringComparison.Ordinal);

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>The SLO window that ends at <paramref name="now"/>: the last 28 or 30 days, or the calendar month (UTC) so far.</summary>
    public Monitors.Uptime.Interval WindowAt(DateTimeOffset now) => Window switch
    {
        "calendar_month" => new(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), now),
        "28d" => new(now.AddDays(-28), now),
        _ => new(now.AddDays(-30), now),
    };

    /// <summary>The whole length of a window period: 28 or 30 days, or the calendar month that holds <paramref name="now"/>.</summary>
    public TimeSpan PeriodLength(DateTimeOffset now) => Window switch
    {
        "calendar_month" => TimeSpan.FromDays(DateTime.DaysInMonth(now.Year, now.Month)),
        "28d" => TimeSpan.FromDays(28),
        _ => TimeSpan.FromDays(30),
    };
}
