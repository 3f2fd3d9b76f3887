using Snappier;

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

    /// <summary>The uncompressed protobuf.</summary>
    public static byte[] EncodeProtobuf(WriteRequest request)
    {
        var root = new ProtoWriter();
        foreach (var series in request.Timeseries)
        {
            var ts = new ProtoWriter();
            foreach (var label in series.Labels)
            {
                var l = new ProtoWriter();
                l.String(1, label.Name);
                l.String(2, label.Value);
                ts.Message(1, l);
            }
            foreach (var sample in series.Samples)
            {
                var s = new ProtoWriter();
                s.Double(1, sample.Value);
                s.Int64(2, sample.TimestampMs);
                ts.Message(2, s);
            }
            root.Message(1, ts);
        }
        foreach (var m in request.Metadata)
        {
            var w = new ProtoWriter();
            w.Int64(1, (long)m.Type);
            w.String(2, m.MetricFamilyName);
            w.String(4, m.Help);
            w.String(5, m.Unit);
            root.Message(3, w);
        }
        return root.WrittenSpan.ToArray();
    }
}
