using System.Buffers;
using Snappier;
using Vigil.Metrics.Exposition;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>
/// Decodes a remote-write 1.0 HTTP body: snappy block format (not the framed stream format)
/// around a protobuf <c>prometheus.WriteRequest</c>. Every error is a
/// <see cref="RemoteWriteException"/> whose message can be returned with HTTP 400.
/// </summary>
/// <remarks>
/// Labels are checked more strictly than Prometheus 2.42 does (it stores whatever it receives),
/// as Cortex and Mimir do: a series needs a valid <c>__name__</c>, label names must match
/// <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, and a repeated label name is rejected (Prometheus's head
/// rejects that too). Unsorted labels are accepted and sorted, and empty values dropped, as
/// Prometheus does.
/// </remarks>
public static partial class RemoteWriteDecoder
{
    /// <summary>The largest uncompressed body accepted unless the caller says otherwise: 32 MiB.</summary>
    public const int DefaultMaxUncompressedBytes = 32 << 20;

    /// <summary>Decompresses and decodes a body.</summary>
    public static WriteRequest Decode(ReadOnlySpan<byte> body, int maxUncompressedBytes = DefaultMaxUncompressedBytes)
    {
        var request = new RequestSink();
        Decode(body, maxUncompressedBytes, request);
        return request.ToWriteRequest();
    }

    /// <summary>Decodes an uncompressed protobuf <c>prometheus.WriteRequest</c>.</summary>
    public static WriteRequest DecodeProtobuf(ReadOnlySpan<byte> protobuf)
    {
        var request = new RequestSink();
        DecodeProtobuf(protobuf, request);
        return request.ToWriteRequest();
    }

    /// <summary>
    /// Decompresses and decodes a body straight into <paramref name="appender"/>, without building a
    /// <see cref="WriteRequest"/>: what a receiver does with a body. Metadata (the request's field 3)
    /// goes to <paramref name="metadata"/> when given, else is dropped.
    /// When this throws, the appender may hold part of the body: do not commit it.
    /// </summary>
    public static RemoteWriteCounts DecodeInto(ReadOnlySpan<byte> body, ISampleAppender appender, int maxUncompressedBytes = DefaultMaxUncompressedBytes, Action<MetricMetadata>? metadata = null)
    {
        var sink = new AppenderSink(appender, metadata);
        Decode(body, maxUncompressedBytes, sink);
        return sink.Counts;
    }

    private static void Decode(ReadOnlySpan<byte> body, int maxUncompressedBytes, IWriteRequestSink sink)
    {
        var declared = DeclaredLength(body);
        if (declared < 0)
        {
            throw new RemoteWriteException("invalid snappy block: the body does not start with a length preamble");
        }
        if (declared > maxUncompressedBytes)
        {
            throw new RemoteWriteException($"uncompressed body of {declared} bytes exceeds the limit of {maxUncompressedBytes} bytes");
        }
        var length = (int)declared;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int written;
            try
            {
                written = Snappy.Decompress(body, buffer.AsSpan(0, length));
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
            {
                throw new RemoteWriteException("invalid snappy block: " + e.Message);
            }
            DecodeProtobuf(buffer.AsSpan(0, written), sink);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The uncompressed length a snappy block declares: its preamble is a little-endian base-128
    /// varint (snappy's format_description.txt, "1. Preamble": at most 32 bits, so 5 bytes); -1 when there is none.
    /// Read here so a preamble declaring gigabytes is refused by size before the decompressor sees it.
    /// </summary>
    internal static long DeclaredLength(ReadOnlySpan<byte> body)
    {
        ulong value = 0;
        for (var i = 0; i < 5 && i < body.Length; i++)
        {
            value |= (ulong)(body[i] & 0x7f) << (7 * i);
            if ((body[i] & 0x80) == 0)
            {
                return (long)value;
            }
        }
        return -1;
    }

    private static void DecodeProtobuf(ReadOnlySpan<byte> protobuf, IWriteRequestSink sink)
    {
        var scratch = DecodeScratch.ForThisThread();
        int seriesIndex = 0, metadataIndex = 0;
        var reader = new ProtoReader(protobuf, "write request");
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            switch (field)
            {
                case 1:
                    ReadTimeSeries(reader.ReadBytes(type), seriesIndex++, scratch, sink);
                    break;
                case 3:
                    sink.Metadata(ReadMetadata(reader.ReadBytes(type), metadataIndex++, SharedStrings.Instance));
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
    }

    /// <summary>
    /// Reads a series entry. Its label fields are only noted (and hashed) while reading: a sender
    /// repeats the same labels request after request, so <see cref="WireLabels"/> usually has the
    /// label set already, checked against these very bytes, and nothing needs decoding or validating.
    /// </summary>
    private static void ReadTimeSeries(ReadOnlySpan<byte> message, int index, DecodeScratch scratch, IWriteRequestSink sink)
    {
        int labelCount = 0, sampleCount = 0, exemplars = 0, histograms = 0;
        var hash = new HashCode();
        var reader = new ProtoReader(message, "timeseries", index);
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            switch (field)
            {
                case 1:
                    var label = reader.ReadBytes(type);
                    hash.AddBytes(label);
                    scratch.AddLabelField(ref labelCount, new Range(reader.Position - label.Length, reader.Position));
                    break;
                case 2:
                    scratch.AddSample(ref sampleCount, ReadSample(reader.ReadBytes(type), index));
                    break;
                case 3:
                    reader.ReadBytes(type);
                    exemplars++;
                    break;
                case 4:
                    reader.ReadBytes(type);
                    histograms++;
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        var fields = scratch.LabelFields.AsSpan(0, labelCount);
        var key = hash.ToHashCode();
        var labels = WireLabels.Shared.Find(key, message, fields);
        if (labels is null)
        {
            var decoded = scratch.LabelsFor(labelCount);
            for (var i = 0; i < fields.Length; i++)
            {
                decoded[i] = ReadLabel(message[fields[i]], index, SharedStrings.Instance);
            }
            labels = ValidLabels(decoded, in reader);
            WireLabels.Shared.Add(key, labels);
        }
        sink.Series(labels, scratch.Samples.AsSpan(0, sampleCount), exemplars, histograms);
    }

    /// <summary>Reads a label of series <paramref name="index"/>; errors name the series.</summary>
    private static Label ReadLabel(ReadOnlySpan<byte> message, int index, SharedStrings strings)
    {
        string name = "", value = "";
        var reader = new ProtoReader(message, "timeseries", index);
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            switch (field)
            {
                case 1:
                    // The cache returns null for bytes that are not UTF-8, and only ever holds valid strings.
                    name = strings.Get(reader.ReadBytes(type)) ?? throw reader.NotUtf8("label name");
                    break;
                case 2:
                    value = strings.Get(reader.ReadBytes(type)) ?? throw reader.NotUtf8("label value");
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        return new Label(name, value);
    }

    private static Sample ReadSample(ReadOnlySpan<byte> message, int index)
    {
        double value = 0;
        long timestamp = 0;
        var reader = new ProtoReader(message, "timeseries", index);
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            switch (field)
            {
                case 1:
                    value = reader.ReadDouble(type);
                    break;
                case 2:
                    timestamp = reader.ReadInt64(type);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        return new Sample(timestamp, value);
    }

    private static MetricMetadata ReadMetadata(ReadOnlySpan<byte> message, int index, SharedStrings strings)
    {
        var result = new MetricMetadata("", MetricType.Unknown, "", "");
        var reader = new ProtoReader(message, "metadata", index);
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            result = field switch
            {
                1 => result with { Type = (MetricType)reader.ReadInt64(type) is var t && Enum.IsDefined(t) ? t : MetricType.Unknown },
                2 => result with { MetricFamilyName = strings.Get(reader.ReadUtf8(type, "metric_family_name"))! },
                4 => result with { Help = System.Text.Encoding.UTF8.GetString(reader.ReadUtf8(type, "help")) },
                5 => result with { Unit = strings.Get(reader.ReadUtf8(type, "unit"))! },
                _ => Skipped(ref reader, type, result),
            };
        }
        return result;
    }

    private static MetricMetadata Skipped(ref ProtoReader reader, WireType type, MetricMetadata unchanged)
    {
        reader.Skip(type);
        return unchanged;
    }

    /// <summary>
    /// Sorts (unless already sorted, as Prometheus sends them), checks, and drops empty values. Only
    /// the returned label set is allocated.
    /// </summary>
    private static Labels ValidLabels(Span<Label> labels, in ProtoReader series)
    {
        for (var i = 1; i < labels.Length; i++)
        {
            if (string.CompareOrdinal(labels[i - 1].Name, labels[i].Name) > 0)
            {
                labels.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                break;
            }
        }
        var nonEmpty = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var name = labels[i].Name;
            if (!LabelNames.IsValidLabelName(name))
            {
                throw new RemoteWriteException($"{series.Context}: invalid label name \"{name}\"");
            }
            if (i > 0 && name == labels[i - 1].Name)
            {
                throw new RemoteWriteException($"{series.Context}: duplicate label name \"{name}\"");
            }
            if (labels[i].Value.Length > 0)
            {
                nonEmpty++;
            }
        }
        var items = new Label[nonEmpty];
        var n = 0;
        foreach (var l in labels)
        {
            if (l.Value.Length > 0)
            {
                items[n++] = l;
            }
        }
        var result = Labels.FromSorted(items);
        var metricName = result.MetricName;
        if (metricName.Length == 0)
        {
            throw new RemoteWriteException($"{series.Context}: missing metric name (label __name__) in {result}");
        }
        if (!LabelNames.IsValidMetricName(metricName))
        {
            throw new RemoteWriteException($"{series.Context}: invalid metric name \"{metricName}\"");
        }
        return result;
    }
}
