namespace Vigil.Metrics.Exposition;

/// <summary>
/// The type of a metric family, as declared by <c># TYPE</c> or sent in remote-write metadata.
/// The numbers are the wire values of <c>prometheus.MetricMetadata.MetricType</c>.
/// </summary>
public enum MetricType
{
    /// <summary>No type declared; the text format's <c>untyped</c> maps here, as in Prometheus.</summary>
    Unknown = 0,
    /// <summary>A monotonically increasing value.</summary>
    Counter = 1,
    /// <summary>A value that goes up and down.</summary>
    Gauge = 2,
    /// <summary>Cumulative buckets with <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series.</summary>
    Histogram = 3,
    /// <summary>OpenMetrics gauge histogram (<c>_gsum</c>, <c>_gcount</c>).</summary>
    GaugeHistogram = 4,
    /// <summary>Quantiles with <c>_sum</c> and <c>_count</c> series.</summary>
    Summary = 5,
    /// <summary>OpenMetrics info metric (<c>_info</c>, value 1).</summary>
    Info = 6,
    /// <summary>OpenMetrics state set (one series per state, value 0 or 1).</summary>
    StateSet = 7,
}

/// <summary>What an exposition or a remote-write request says about one metric family.</summary>
/// <param name="MetricFamilyName">The family name, e.g. <c>http_requests</c> or <c>http_requests_total</c>, as written.</param>
/// <param name="Type">The declared type; <see cref="MetricType.Unknown"/> when only help or unit was given.</param>
/// <param name="Help">The help text, unescaped; empty when none.</param>
/// <param name="Unit">The unit (OpenMetrics <c># UNIT</c>); empty when none.</param>
public sealed record MetricMetadata(string MetricFamilyName, MetricType Type, string Help, string Unit);
