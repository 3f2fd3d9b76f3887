using Vigil.Metrics.Exposition;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>A remote-write 1.0 request (<c>prometheus.WriteRequest</c>): series with samples, and family metadata.</summary>
/// <param name="Timeseries">
/// The series in wire order. Prometheus 2.42 sends one entry per sample, so the same labels may
/// appear several times in one request.
/// </param>
/// <param name="Metadata">Metric family metadata; Prometheus sends it in separate requests without series.</param>
public sealed record WriteRequest(IReadOnlyList<TimeSeries> Timeseries, IReadOnlyList<MetricMetadata> Metadata)
{
    /// <summary>Samples across all series.</summary>
    public int SampleCount => Timeseries.Sum(t => t.Samples.Count);

    /// <summary>Native histogram samples that were received and skipped (not supported yet).</summary>
    public int SkippedHistogramCount => Timeseries.Sum(t => t.SkippedHistograms);

    /// <summary>Buffers every sample of every series into <paramref name="appender"/> (the caller commits); returns how many.</summary>
    public int AppendTo(ISampleAppender appender)
    {
        var count = 0;
        foreach (var series in Timeseries)
        {
            foreach (var sample in series.Samples)
            {
                appender.Append(series.Labels, sample.TimestampMs, sample.Value);
                count++;
            }
        }
        return count;
    }
}

/// <summary>One <c>prometheus.TimeSeries</c>.</summary>
/// <param name="Labels">The labels, sorted, including <c>__name__</c>; empty values are dropped as Prometheus does.</param>
/// <param name="Samples">Float samples in wire order; timestamps in milliseconds since the epoch.</param>
/// <param name="SkippedExemplars">Exemplars that were received and not kept.</param>
/// <param name="SkippedHistograms">Native histogram samples that were received and not kept.</param>
public sealed record TimeSeries(Labels Labels, IReadOnlyList<Sample> Samples, int SkippedExemplars = 0, int SkippedHistograms = 0);

/// <summary>
/// A remote-write body that cannot be accepted; the message is the reason to return with HTTP 400,
/// e.g. <c>timeseries[3]: invalid label name "1a"</c>.
/// </summary>
public sealed class RemoteWriteException(string message) : FormatException(message);
