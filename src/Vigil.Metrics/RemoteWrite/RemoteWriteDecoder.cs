using System.Buffers;
using System.Runtime.InteropServices;
using Snappier;
using Vigil.Metrics.Exposition;

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
public static class RemoteWriteDecoder
{
    /// <summary>The largest uncompressed body accepted unless the caller says otherwise: 32 MiB.</summary>
    public const int DefaultMaxUncompressedBytes = 32 << 20;

    /// <summary>Decompresses and decodes a body.</summary>
    public static WriteRequest Decode(ReadOnlySpan<byte> body, int maxUncompressedBytes = DefaultMaxUncompressedBytes)
    {
        int length;
        try
        {
            length = Snappy.GetUncompressedLength(body);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            throw new RemoteWriteException("invalid snappy block: " + e.Message);
        }
        if (length > maxUncompressedBytes)
        {
            throw new RemoteWriteException($"uncompressed body of {length} bytes exceeds the limit of {maxUncompressedBytes} bytes");
        }
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
            return DecodeProtobuf(buffer.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes an uncompressed protobuf <c>prometheus.WriteRequest</c>.</summary>
    public static WriteRequest DecodeProtobuf(ReadOnlySpan<byte> protobuf)
    {
        var cache = new LabelStringCache(256);
        var series = new List<TimeSeries>();
        var metadata = new List<MetricMetadata>();
        var reader = new ProtoReader(protobuf, "write request");
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            switch (field)
            {
                case 1:
                    series.Add(ReadTimeSeries(reader.ReadBytes(type), series.Count, cache));
                    break;
                case 3:
                    metadata.Add(ReadMetadata(reader.ReadBytes(type), metadata.Count, cache));
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        return new WriteRequest(series, metadata);
    }

    private static TimeSeries ReadTimeSeries(ReadOnlySpan<byte> message, int index, LabelStringCache cache)
    {
        var context = $"timeseries[{index}]";
        var labels = new List<Label>();
        var samples = new List<Sample>();
        int exemplars = 0, histograms = 0;
        var reader = new ProtoReader(message, context);
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            switch (field)
            {
                case 1:
                    labels.Add(ReadLabel(reader.ReadBytes(type), context, cache));
                    break;
                case 2:
                    samples.Add(ReadSample(reader.ReadBytes(type), context));
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
        return new TimeSeries(ValidLabels(labels, context), samples, exemplars, histograms);
    }

    private static Label ReadLabel(ReadOnlySpan<byte> message, string context, LabelStringCache cache)
    {
        string name = "", value = "";
        var reader = new ProtoReader(message, context);
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            switch (field)
            {
                case 1:
                    name = cache.Get(reader.ReadUtf8(type, "label name"))!;
                    break;
                case 2:
                    value = cache.Get(reader.ReadUtf8(type, "label value"))!;
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        return new Label(name, value);
    }

    private static Sample ReadSample(ReadOnlySpan<byte> message, string context)
    {
        double value = 0;
        long timestamp = 0;
        var reader = new ProtoReader(message, context);
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

    private static MetricMetadata ReadMetadata(ReadOnlySpan<byte> message, int index, LabelStringCache cache)
    {
        var context = $"metadata[{index}]";
        var result = new MetricMetadata("", MetricType.Unknown, "", "");
        var reader = new ProtoReader(message, context);
        while (!reader.End)
        {
            var (field, type) = reader.ReadKey();
            result = field switch
            {
                1 => result with { Type = (MetricType)reader.ReadInt64(type) is var t && Enum.IsDefined(t) ? t : MetricType.Unknown },
                2 => result with { MetricFamilyName = cache.Get(reader.ReadUtf8(type, "metric_family_name"))! },
                4 => result with { Help = System.Text.Encoding.UTF8.GetString(reader.ReadUtf8(type, "help")) },
                5 => result with { Unit = cache.Get(reader.ReadUtf8(type, "unit"))! },
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

    private static Labels ValidLabels(List<Label> labels, string context)
    {
        var span = CollectionsMarshal.AsSpan(labels);
        span.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 0; i < span.Length; i++)
        {
            var name = span[i].Name;
            if (!LabelNames.IsValidLabelName(name))
            {
                throw new RemoteWriteException($"{context}: invalid label name \"{name}\"");
            }
            if (i > 0 && name == span[i - 1].Name)
            {
                throw new RemoteWriteException($"{context}: duplicate label name \"{name}\"");
            }
        }
        var result = Labels.FromSorted([.. labels.Where(l => l.Value.Length > 0)]);
        var metricName = result.MetricName;
        if (metricName.Length == 0)
        {
            throw new RemoteWriteException($"{context}: missing metric name (label __name__) in {result}");
        }
        if (!LabelNames.IsValidMetricName(metricName))
        {
            throw new RemoteWriteException($"{context}: invalid metric name \"{metricName}\"");
        }
        return result;
    }
}
