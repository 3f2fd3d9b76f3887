using Snappier;
using Vigil.Metrics.Exposition;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>
/// Encodes a <see cref="WriteRequest"/> as Prometheus sends it: protobuf
/// <c>prometheus.WriteRequest</c> compressed with the snappy block format. Send it with
/// <see cref="ContentType"/>, <c>Content-Encoding: snappy</c> and <see cref="VersionHeader"/>.
/// Exemplars and native histograms are not encoded.
/// </summary>
public static class RemoteWriteEncoder
{
    /// <summary>The <c>Content-Type</c> of a remote-write 1.0 body.</summary>
    public const string ContentType = "application/x-protobuf";

    /// <summary>The <c>X-Prometheus-Remote-Write-Version</c> header value Prometheus 2.42 sends.</summary>
    public const string VersionHeader = "0.1.0";

    /// <summary>The HTTP body: snappy block of the protobuf.</summary>
    public static byte[] Encode(WriteRequest request) => Snappy.CompressToArray(EncodeProtobuf(request));

    /// <summary>The uncompressed protobuf, written in one pass into a buffer of its exact size.</summary>
    public static byte[] EncodeProtobuf(WriteRequest request)
    {
        var seriesSizes = new int[request.Timeseries.Count];
        var total = 0;
        for (var i = 0; i < seriesSizes.Length; i++)
        {
            seriesSizes[i] = SeriesSize(request.Timeseries[i]);
            total += ProtoWriter.SizeOf(seriesSizes[i]);
        }
        foreach (var m in request.Metadata)
        {
            total += ProtoWriter.SizeOf(MetadataSize(m));
        }
        var bytes = new byte[total];
        var w = new ProtoWriter(bytes);
        for (var i = 0; i < seriesSizes.Length; i++)
        {
            var series = request.Timeseries[i];
            w.MessageHeader(1, seriesSizes[i]);
            foreach (var label in series.Labels)
            {
                w.MessageHeader(1, LabelSize(label));
                w.String(1, label.Name);
                w.String(2, label.Value);
            }
            foreach (var sample in series.Samples)
            {
                w.MessageHeader(2, SampleSize(sample));
                w.Double(1, sample.Value);
                w.Int64(2, sample.TimestampMs);
            }
        }
        foreach (var m in request.Metadata)
        {
            w.MessageHeader(3, MetadataSize(m));
            w.Int64(1, (long)m.Type);
            w.String(2, m.MetricFamilyName);
            w.String(4, m.Help);
            w.String(5, m.Unit);
        }
        return w.Written == total ? bytes : throw new InvalidOperationException($"protobuf size computed as {total} bytes, {w.Written} written");
    }

    // prometheus.Label { string name = 1; string value = 2; }
    private static int LabelSize(Label label) => ProtoWriter.SizeOf(label.Name) + ProtoWriter.SizeOf(label.Value);

    // prometheus.Sample { double value = 1; int64 timestamp = 2; }
    private static int SampleSize(Sample sample) => 1 + 8 + 1 + ProtoWriter.VarintSize((ulong)sample.TimestampMs);

    // prometheus.TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
    private static int SeriesSize(TimeSeries series)
    {
        var size = 0;
        foreach (var label in series.Labels)
        {
            size += ProtoWriter.SizeOf(LabelSize(label));
        }
        foreach (var sample in series.Samples)
        {
            size += ProtoWriter.SizeOf(SampleSize(sample));
        }
        return size;
    }

    // prometheus.MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
    private static int MetadataSize(MetricMetadata m) =>
        1 + ProtoWriter.VarintSize((ulong)(long)m.Type) + ProtoWriter.SizeOf(m.MetricFamilyName) + ProtoWriter.SizeOf(m.Help) + ProtoWriter.SizeOf(m.Unit);
}
