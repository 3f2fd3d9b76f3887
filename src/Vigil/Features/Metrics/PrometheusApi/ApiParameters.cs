using System.Globalization;
using Vigil.Configuration;

namespace Vigil.Features.Metrics.PrometheusApi;

/// <summary>A request parameter Prometheus would refuse, with Prometheus's own wording.</summary>
public sealed class BadParameterException(string parameter, string reason)
    : Exception($"invalid parameter \"{parameter}\": {reason}")
{
    public string Parameter { get; } = parameter;
    /// <summary>Why, without the parameter's name (for the console, which has no parameters).</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Parses the parameters of the Prometheus HTTP API exactly as Prometheus 2.42 does
/// (<c>web/api/v1/api.go</c>: <c>parseTime</c>, <c>parseDuration</c>), so Grafana and scripts that
/// work against Prometheus work against Vigil.
/// </summary>
public static class ApiParameters
{
    /// <summary>Unix seconds with up to millisecond fraction (<c>1700000600.5</c>) or RFC 3339 (<c>2023-11-14T22:23:20Z</c>); milliseconds since the epoch.</summary>
    public static long ParseTime(string parameter, string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && !double.IsNaN(seconds) && !double.IsInfinity(seconds))
        {
            // Prometheus rounds the fraction to milliseconds.
            var whole = Math.Truncate(seconds);
            var millis = Math.Round((seconds - whole) * 1000);
            return checked(((long)whole * 1000) + (long)millis);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) && text.Contains('T', StringComparison.Ordinal))
        {
            return time.ToUnixTimeMilliseconds();
        }
        throw new BadParameterException(parameter, $"cannot parse \"{text}\" to a valid timestamp");
    }

    /// <summary>Seconds as a float (<c>15</c>, <c>0.5</c>) or a Prometheus duration (<c>1m30s</c>); milliseconds.</summary>
    public static long ParseDuration(string parameter, string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            var ms = seconds * 1000;
            if (double.IsNaN(ms) || ms >= long.MaxValue || ms <= long.MinValue)
            {
                throw new BadParameterException(parameter, $"cannot parse \"{text}\" to a valid duration. It overflows int64");
            }
            return (long)ms;
        }
        if (Duration.TryParse(text, out var duration))
        {
            return (long)duration.TotalMilliseconds;
        }
        throw new BadParameterException(parameter, $"cannot parse \"{text}\" to a valid duration");
    }

    /// <summary>
    /// The checks <c>query_range</c> makes on start, end and step, in Prometheus's order and words.
    /// Returns the error message for <c>bad_data</c>, or null when the range is acceptable.
    /// </summary>
    public static string? CheckRange(long startMs, long endMs, long stepMs)
    {
        if (endMs < startMs)
        {
            return new BadParameterException("end", "end timestamp must not be before start time").Message;
        }
        if (stepMs <= 0)
        {
            return new BadParameterException("step", "zero or negative query resolution step widths are not accepted. Try a positive integer").Message;
        }
        // "For safety, limit the number of returned points per timeseries."
        if ((endMs - startMs) / stepMs > 11_000)
        {
            return "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)";
        }
        return null;
    }

    /// <summary>A value type in Prometheus's words, for its error messages.</summary>
    public static string Describe(Vigil.Metrics.PromQL.PromValueType type) => type switch
    {
        Vigil.Metrics.PromQL.PromValueType.Scalar => "scalar",
        Vigil.Metrics.PromQL.PromValueType.InstantVector => "instant vector",
        Vigil.Metrics.PromQL.PromValueType.RangeVector => "range vector",
        Vigil.Metrics.PromQL.PromValueType.String => "string",
        _ => "invalid",
    };
}
