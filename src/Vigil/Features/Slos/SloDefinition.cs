using System.Globalization;
using Vigil.Configuration;

namespace Vigil.Features.Slos;

/// <summary>
/// An SLO as written in <c>vigil.yaml</c> under <c>slos:</c> and as sent to <c>POST /api/slos</c>:
/// the same snake_case keys in both, checked by <see cref="SloRules"/>. Exactly one of
/// <see cref="Monitor"/>, <see cref="Ratio"/>, <see cref="Latency"/>, <see cref="MeanLatency"/> and <see cref="Deployments"/> says what is measured.
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
    public MeanLatencySli? MeanLatency { get; set; }
    public DeploymentsSli? Deployments { get; set; }
}

/// <summary>
/// Deployment success: the share of the service's deployments started in the window that succeeded, from
/// the <c>vigil_deployments_total</c> counters the deployments area writes (a seed's "deployment success &gt; 99 %").
/// </summary>
public sealed class DeploymentsSli
{
    /// <summary>Only deployments to this environment (e.g. <c>production</c>); all environments when absent.</summary>
    public string? Environment { get; set; }
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

/// <summary>
/// The mean of a summary or histogram (<c>&lt;metric&gt;_sum / &lt;metric&gt;_count</c>) against a threshold,
/// judged per one-minute time slice: a slice is good when the mean of its requests is under
/// <see cref="Threshold"/>, and the SLI is the share of good slices (slices without requests count for nothing).
/// </summary>
public sealed class MeanLatencySli
{
    /// <summary>The metric's name without <c>_sum</c> / <c>_count</c>, e.g. <c>http_request_duration_seconds</c>.</summary>
    public string? Metric { get; set; }
    /// <summary>Label matchers without braces, e.g. <c>service="checkout"</c>.</summary>
    public string? Selector { get; set; }
    /// <summary>A duration such as <c>200ms</c> (or a number of seconds such as <c>0.2</c>), in the metric's unit of seconds.</summary>
    public string? Threshold { get; set; }

    /// <summary>The threshold in seconds, or null when it is not a positive duration.</summary>
    public static double? ParseThreshold(string? text)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }
        if (Duration.TryParse(trimmed, out var duration))
        {
            return duration > TimeSpan.Zero ? duration.TotalSeconds : null;
        }
        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0 ? seconds : null;
    }
}

public enum SloKind
{
    Availability,
    Ratio,
    Latency,
    MeanLatency,
    Deployments,
}

/// <summary>A validated SLO, as the rest of the area uses it.</summary>
/// <param name="Target">A fraction, e.g. 0.999.</param>
/// <param name="Window">As configured: <c>28d</c>, <c>30d</c> or <c>calendar_month</c>.</param>
public sealed record Slo(
    string Name, string Service, string? Description, double Target, string Window, SloKind Kind,
    string? Monitor, string? GoodQuery, string? BadQuery, string? TotalQuery, Catalog.ObjectOrigin Origin,
    string? SliceMeanQuery = null, double? ThresholdSeconds = null, string? DeploymentEnvironment = null)
{
    /// <summary>Sloth's window placeholder in a ratio query.</summary>
    public const string WindowPlaceholder = "{{.window}}";

    /// <summary>The time slice of a mean-latency SLO: each minute is good or bad as a whole.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMinutes(1);

    /// <summary>The kind as the API and the console write it: <c>availability</c>, <c>ratio</c>, <c>latency</c>, <c>mean_latency</c>.</summary>
    public string KindName => Kind == SloKind.MeanLatency ? "mean_latency" : Kind.ToString().ToLowerInvariant();

    /// <summary>The deployment-success kind's count of deployments that entered a status during the window (a counter's growth, exact: no extrapolation).</summary>
    public string DeploymentsEnteredQuery(string status, TimeSpan window)
    {
        var environment = DeploymentEnvironment is null ? "" : $",environment=\"{Escape(DeploymentEnvironment)}\"";
        var selector = $"{Deployments.DeploymentSeries.Total}{{service=\"{Escape(Service)}\"{environment},status=\"{status}\"}}";
        // The counter now minus the counter at the window's start; a service first deployed inside the
        // window had no series then, which counts as 0 (PromQL's "or vector(0)").
        return $"(sum({selector}) - (sum({selector} offset {Duration.Format(window)}) or vector(0)))";
    }

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
        if (d.Deployments is { } deployments)
        {
            return new Slo(d.Name!, d.Service!, d.Description, target, window, SloKind.Deployments, null, null, null, null, origin,
                DeploymentEnvironment: string.IsNullOrWhiteSpace(deployments.Environment) ? null : deployments.Environment.Trim());
        }
        if (d.MeanLatency is { } mean)
        {
            // The mean of a summary or histogram over a range, as Prometheus documents it
            // (prometheus.io/docs/practices/histograms: rate(<metric>_sum[5m]) / rate(<metric>_count[5m])),
            // here over one slice; "> 0" drops slices without requests instead of dividing by zero.
            var matchers = string.IsNullOrWhiteSpace(mean.Selector) ? "" : mean.Selector.Trim();
            var slice = Duration.Format(Slice);
            var query = $"sum(rate({mean.Metric}_sum{{{matchers}}}[{slice}])) / (sum(rate({mean.Metric}_count{{{matchers}}}[{slice}])) > 0)";
            return new Slo(d.Name!, d.Service!, d.Description, target, window, SloKind.MeanLatency, null, null, null, null, origin,
                query, MeanLatencySli.ParseThreshold(mean.Threshold));
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
            // Time-slice budgeting (SRE workbook "Implementing SLOs"; OpenSLO's timeslices budgeting
            // method with a "ratio vs threshold" per slice): each one-minute step of the subquery is
            // bad when its mean is at or above the threshold, and the error ratio is the share of bad
            // slices among the slices that had requests.
            // Deployment success: 1 − succeeded / started among the deployments started in the window.
            SloKind.Deployments => $"1 - ({DeploymentsEnteredQuery(Deployments.DeploymentStatus.Succeeded, window)} / {DeploymentsEnteredQuery(Deployments.DeploymentStatus.InProgress, window)})",
            SloKind.MeanLatency => $"avg_over_time((({SliceMeanQuery}) >= bool {ThresholdText})[{range}:{Duration.Format(Slice)}])",
            _ when BadQuery is not null => $"({Fill(BadQuery)}) / ({Fill(TotalQuery!)})",
            _ => $"1 - (({Fill(GoodQuery!)}) / ({Fill(TotalQuery!)}))",
        };
    }

    /// <summary>The PromQL of the number of slices with requests in <paramref name="window"/> (mean-latency kind): its events.</summary>
    public string SliceCountQuery(TimeSpan window) =>
        $"count_over_time(({SliceMeanQuery})[{Duration.Format(window)}:{Duration.Format(Slice)}])";

    private string ThresholdText => ThresholdSeconds!.Value.ToString("R", CultureInfo.InvariantCulture);

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
