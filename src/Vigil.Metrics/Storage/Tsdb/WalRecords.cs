namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>A sealed, immutable head chunk: Gorilla bytes plus the time range and sample count.</summary>
internal sealed class HeadChunk(byte[] data, long minTime, long maxTime)
{
    public byte[] Data { get; } = data;

    public long MinTime { get; } = minTime;

    public long MaxTime { get; } = maxTime;
}

/// <summary>One decoded WAL or checkpoint record.</summary>
internal abstract record WalRecord;

/// <summary>New series, each with the id that later sample records refer to.</summary>
internal sealed record SeriesRecord(IReadOnlyList<(int Id, Labels Labels)> Series) : WalRecord;

/// <summary>Accepted samples, in the order the head applied them.</summary>
internal sealed record SamplesRecord(IReadOnlyList<(int Id, long T, double V)> Samples) : WalRecord;

/// <summary>A checkpoint's opening record: the next series id to hand out.</summary>
internal sealed record CheckpointHeaderRecord(int NextSeriesId) : WalRecord;

/// <summary>A checkpoint's copy of one head series: its chunks as they were, and its out-of-order samples.</summary>
internal sealed record SeriesSnapshotRecord(int Id, Labels Labels, long MaxTime, double LastValue, IReadOnlyList<HeadChunk> Chunks, IReadOnlyList<Sample> OutOfOrder) : WalRecord;

/// <summary>
/// The payload encoding of WAL and checkpoint records. Each payload starts with a type byte;
/// integers are varints, sample values raw IEEE bits so staleness markers survive exactly.
/// </summary>
internal static class WalRecords
{
    private const byte SeriesType = 1;
    private const byte SamplesType = 2;
    private const byte CheckpointHeaderType = 3;
    private const byte SeriesSnapshotType = 4;

    public static void EncodeSeries(ByteSink sink, IReadOnlyList<(int Id, Labels Labels)> series)
    {
        sink.Byte(SeriesType);
        sink.Uvarint((ulong)series.Count);
        foreach (var (id, labels) in series)
        {
            sink.Uvarint((ulong)id);
            EncodeLabels(sink, labels);
        }
    }

    public static void EncodeSamples(ByteSink sink, IReadOnlyList<(int Id, long T, double V)> samples)
    {
        sink.Byte(SamplesType);
        sink.Uvarint((ulong)samples.Count);
        var baseTime = samples.Count > 0 ? samples[0].T : 0;
        sink.Varint(baseTime);
        foreach (var (id, t, v) in samples)
        {
            sink.Uvarint((ulong)id);
            sink.Varint(unchecked(t - baseTime));
            sink.Double(v);
        }
    }

    public static void EncodeCheckpointHeader(ByteSink sink, int nextSeriesId)
    {
        sink.Byte(CheckpointHeaderType);
        sink.Uvarint((ulong)nextSeriesId);
    }

    public static void EncodeSnapshot(ByteSink sink, SeriesSnapshotRecord s)
    {
        sink.Byte(SeriesSnapshotType);
        sink.Uvarint((ulong)s.Id);
        EncodeLabels(sink, s.Labels);
        sink.Varint(s.MaxTime);
        sink.Double(s.LastValue);
        sink.Uvarint((ulong)s.Chunks.Count);
        foreach (var c in s.Chunks)
        {
            sink.Varint(c.MinTime);
            sink.Varint(c.MaxTime);
            sink.Bytes(c.Data);
        }
        sink.Uvarint((ulong)s.OutOfOrder.Count);
        foreach (var x in s.OutOfOrder)
        {
            sink.Varint(x.TimestampMs);
            sink.Double(x.Value);
        }
    }

    /// <summary>Decodes one payload; throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static WalRecord Decode(ReadOnlySpan<byte> payload)
    {
        var src = new ByteSource(payload);
        var type = src.Byte();
        WalRecord record;
        switch (type)
        {
            case SeriesType:
                {
                    var n = src.Count();
                    var list = new List<(int, Labels)>(n);
                    for (var i = 0; i < n; i++)
                    {
                        list.Add((SeriesId(ref src), DecodeLabels(ref src)));
                    }
                    record = new SeriesRecord(list);
                    break;
                }
            case SamplesType:
                {
                    var n = src.Count();
                    var baseTime = src.Varint();
                    var list = new List<(int, long, double)>(n);
                    for (var i = 0; i < n; i++)
                    {
                        list.Add((SeriesId(ref src), unchecked(baseTime + src.Varint()), src.Double()));
                    }
                    record = new SamplesRecord(list);
                    break;
                }
            case CheckpointHeaderType:
                record = new CheckpointHeaderRecord(SeriesId(ref src));
                break;
            case SeriesSnapshotType:
                {
                    var id = SeriesId(ref src);
                    var labels = DecodeLabels(ref src);
                    var maxTime = src.Varint();
                    var last = src.Double();
                    var n = src.Count();
                    var chunks = new List<HeadChunk>(n);
                    for (var i = 0; i < n; i++)
                    {
                        var min = src.Varint();
                        var max = src.Varint();
                        chunks.Add(new HeadChunk(src.Bytes().ToArray(), min, max));
                    }
                    var m = src.Count();
                    var ooo = new List<Sample>(m);
                    for (var i = 0; i < m; i++)
                    {
                        ooo.Add(new Sample(src.Varint(), src.Double()));
                    }
                    record = new SeriesSnapshotRecord(id, labels, maxTime, last, chunks, ooo);
                    break;
                }
            default:
                throw new InvalidDataException($"Unknown WAL record type {type}.");
        }
        if (!src.End)
        {
            throw new InvalidDataException("Trailing bytes after WAL record.");
        }
        return record;
    }

    private static int SeriesId(ref ByteSource src)
    {
        var id = src.Uvarint();
        return id <= int.MaxValue ? (int)id : throw new InvalidDataException("Series id out of range.");
    }

    private static void EncodeLabels(ByteSink sink, Labels labels)
    {
        sink.Uvarint((ulong)labels.Count);
        foreach (var l in labels.AsSpan())
        {
            sink.String(l.Name);
            sink.String(l.Value);
        }
    }

    private static Labels DecodeLabels(ref ByteSource src)
    {
        var n = src.Count();
        var items = new Label[n];
        for (var i = 0; i < n; i++)
        {
            items[i] = new Label(src.String(), src.String());
        }
        return Labels.From(items);
    }
}
