using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Slos;

/// <summary>What makes an SLO definition valid, for <c>vigil.yaml</c> and the API alike.</summary>
public static partial class SloRules
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9_.-]{0,61}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    /// <summary>99.9, "99.9%" and 0.999 are all 0.999; null when it is not a target in (0, 1).</summary>
    public static double? ParseTarget(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var trimmed = text.Trim();
        var percent = trimmed.EndsWith('%');
        if (!double.TryParse(percent ? trimmed[..^1] : trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return null;
        }
        if (percent || value > 1)
        {
            value /= 100;
        }
        // 99.9 / 100 is 0.9990000000000001 in binary; twelve places keep any sensible target exact.
        value = Math.Round(value, 12);
        return value is > 0 and < 1 ? value : null;
    }

    /// <param name="monitorExists">Whether a monitor of this name exists (and belongs to which service), for availability SLOs.</param>
    public static IEnumerable<FieldError> Validate(SloDefinition d, string prefix, Func<string, bool> monitorExists)
    {
        if (string.IsNullOrWhiteSpace(d.Name))
        {
            yield return new($"{prefix}name", "is required");
        }
        else if (!NamePattern().IsMatch(d.Name))
        {
            yield return new($"{prefix}name", "use lowercase letters, digits, '-', '_' and '.' (at most 63 characters)");
        }
        if (string.IsNullOrWhiteSpace(d.Service))
        {
            yield return new($"{prefix}service", "is required");
        }
        if (ParseTarget(d.Target) is null)
        {
            yield return new($"{prefix}target", $"\"{d.Target}\" is not a target between 0 and 100 % (write 99.9, 99.9% or 0.999)");
        }
        if (d.Window is { } window && !Slo.Windows.Contains(window))
        {
            yield return new($"{prefix}window", $"\"{window}\" is not one of 28d, 30d, calendar_month");
        }
        var kinds = new object?[] { d.Monitor, d.Ratio, d.Latency, d.MeanLatency, d.Deployments }.Count(k => k is not null);
        if (kinds != 1)
        {
            yield return new($"{prefix}monitor", "give exactly one of monitor (availability), ratio (good/total queries), latency (histogram), mean_latency (_sum / _count) or deployments (deployment success)");
            yield break;
        }
        if (d.Monitor is { } monitor && !monitorExists(monitor))
        {
            yield return new($"{prefix}monitor", $"no monitor named \"{monitor}\"");
        }
        if (d.Ratio is { } ratio)
        {
            if ((ratio.Good is null) == (ratio.Bad is null))
            {
                yield return new($"{prefix}ratio.good", "give exactly one of good and bad");
            }
            foreach (var (key, query) in new[] { ("good", ratio.Good), ("bad", ratio.Bad), ("total", ratio.Total) })
            {
                if (key == "total" && string.IsNullOrWhiteSpace(query))
                {
                    yield return new($"{prefix}ratio.total", "is required");
                }
                else if (query is not null && QueryError(query) is { } error)
                {
                    yield return new($"{prefix}ratio.{key}", error);
                }
            }
        }
        if (d.Deployments?.Environment is { } environment && (environment.Contains('"', StringComparison.Ordinal) || environment.Contains('\\', StringComparison.Ordinal) || environment.Length > 63))
        {
            yield return new($"{prefix}deployments.environment", $"\"{environment}\" is not an environment name");
        }
        if (d.MeanLatency is { } mean)
        {
            foreach (var error in ValidateMeanLatency(mean, prefix))
            {
                yield return error;
            }
        }
        if (d.Latency is { } latency)
        {
            if (latency.Histogram is null || !MetricName().IsMatch(latency.Histogram))
            {
                yield return new($"{prefix}latency.histogram", "a histogram's metric name (without _bucket) is required");
            }
            if (latency.Threshold is not > 0)
            {
                yield return new($"{prefix}latency.threshold", "a bucket boundary in seconds (more than 0) is required");
            }
            if (latency.Histogram is not null && MetricName().IsMatch(latency.Histogram) && latency.Threshold is > 0 && d.Name is not null && ParseTarget(d.Target) is not null)
            {
                var probe = Slo.From(d, Catalog.ObjectOrigin.Api);
                if (QueryError(probe.TotalQuery!) is not null || QueryError(probe.GoodQuery!) is not null)
                {
                    yield return new($"{prefix}latency.selector", $"\"{latency.Selector}\" is not a list of label matchers such as service=\"checkout\"");
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidateMeanLatency(MeanLatencySli mean, string prefix)
    {
        var metricValid = mean.Metric is not null && MetricName().IsMatch(mean.Metric);
        if (!metricValid)
        {
            yield return new($"{prefix}mean_latency.metric", "a summary's or histogram's metric name (without _sum and _count) is required, e.g. http_request_duration_seconds");
        }
        if (MeanLatencySli.ParseThreshold(mean.Threshold) is null)
        {
            yield return new($"{prefix}mean_latency.threshold", mean.Threshold is null
                ? "is required: the mean a minute must stay under, e.g. 200ms"
                : $"\"{mean.Threshold}\" is not a duration above 0 (write 200ms, 1s or 0.2)");
        }
        if (metricValid && !string.IsNullOrWhiteSpace(mean.Selector) && QueryError($"{mean.Metric}_count{{{mean.Selector.Trim()}}}") is not null)
        {
            yield return new($"{prefix}mean_latency.selector", $"\"{mean.Selector}\" is not a list of label matchers such as service=\"checkout\"");
        }
    }

    /// <summary>Why a ratio query does not parse (with its window filled in), or null when it does.</summary>
    public static string? QueryError(string query)
    {
        try
        {
            PromQLParser.Parse(query.Replace(Slo.WindowPlaceholder, "5m", StringComparison.Ordinal));
            return null;
        }
        catch (PromQLParseException e)
        {
            return $"not a PromQL query: {e.Message}";
        }
    }

    /// <summary>The <c>slos:</c> of a whole file: each valid, names unique, services and monitors among the file's (as monitors' services are).</summary>
    public static IEnumerable<FieldError> ValidateConfig(VigilConfig config)
    {
        var monitors = config.Monitors.Select(m => m.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var services = config.Services.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Slos.Count; i++)
        {
            var slo = config.Slos[i];
            if (slo.Name is not null && !names.Add(slo.Name))
            {
                yield return new($"slos[{i}].name", $"duplicate SLO name \"{slo.Name}\"");
            }
            foreach (var error in Validate(slo, $"slos[{i}].", monitors.Contains))
            {
                yield return error;
            }
            if (!string.IsNullOrWhiteSpace(slo.Service) && !services.Contains(slo.Service))
            {
                yield return new($"slos[{i}].service", $"unknown service \"{slo.Service}\" (define it under services:)");
            }
        }
    }
}
