using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>A place in the WAL: a segment index and a byte offset in it.</summary>
public sealed record WalPosition(int Segment, long Offset);

/// <summary>
/// Follows the WAL as a remote-write queue needs it, like Prometheus's <c>wlog.Watcher</c>: the
/// series of the newest checkpoint and of the segments before the start position are loaded
/// first (so sample records can be resolved to labels), then samples are read record by record
/// from the position on. A frame that does not decode yet is either still being written (the
/// last segment: read it again later) or a torn tail (a later segment exists: go on with it).
/// </summary>
internal sealed class WalTail : IDisposable
{
    private readonly string dir;
    private readonly Dictionary<int, Labels> series = [];
    private SafeFileHandle? handle;
    private int handleSegment = -1;
    private byte[] buffer = new byte[1 << 20];

    public WalTail(string dir, WalPosition start)
    {
        this.dir = dir;
        var checkpoints = WalFiles.Checkpoints(dir);
        if (checkpoints.Count > 0)
        {
            var file = Path.Combine(checkpoints[^1].Path, "00000000");
            var records = new List<WalRecord>();
            WalFiles.ReadFrames(File.Exists(file) ? File.ReadAllBytes(file) : [], records);
            foreach (var r in records)
            {
                if (r is SeriesSnapshotRecord s)
                {
                    series[s.Id] = s.Labels;
                }
            }
        }
        var segments = WalFiles.Segments(dir);
        var first = segments.FirstOrDefault(s => s.Index >= start.Segment);
        Position = first.Path is null ? start with { Offset = 0 } : first.Index == start.Segment ? start : new WalPosition(first.Index, 0);
        foreach (var (index, path) in segments)
        {
            if (index > Position.Segment)
            {
                break;
            }
            var data = File.ReadAllBytes(path);
            var end = index == Position.Segment ? (int)Math.Min(Position.Offset, data.Length) : data.Length;
            var offset = 0;
            while (offset < end && WalFiles.TryReadFrame(data.AsSpan(offset, end - offset), out var record, out var length))
            {
                if (record is SeriesRecord r)
                {
                    foreach (var (id, labels) in r.Series)
                    {
                        series[id] = labels;
                    }
                }
                offset += length;
            }
        }
    }

    /// <summary>Where the next read starts: everything before it has been handed out.</summary>
    public WalPosition Position { get; private set; }

    /// <summary>
    /// Reads samples from <see cref="Position"/> on into <paramref name="into"/> until at least
    /// <paramref name="maxSamples"/> are there or the written end of the WAL is reached.
    /// Returns how many samples referred to a series the WAL does not define (Prometheus counts
    /// those as dropped too).
    /// </summary>
    public int Read(int maxSamples, List<(Labels Labels, long T, double V)> into)
    {
        var unknown = 0;
        while (into.Count < maxSamples)
        {
            if (!OpenCurrent())
            {
                return unknown;
            }
            var length = RandomAccess.GetLength(handle!);
            while (Position.Offset < length && into.Count < maxSamples)
            {
                var read = RandomAccess.Read(handle!, buffer, Position.Offset);
                var span = buffer.AsSpan(0, read);
                var offset = 0;
                while (offset < span.Length && into.Count < maxSamples && WalFiles.TryReadFrame(span[offset..], out var record, out var frame))
                {
                    unknown += Apply(record, into);
                    offset += frame;
                }
                if (offset == 0)
                {
                    // A frame larger than the buffer: grow it and read again; otherwise the frame is not complete.
                    if (span.Length >= WalFiles.FrameHeaderSize && span.Length == buffer.Length)
                    {
                        var needed = (long)BinaryPrimitives.ReadUInt32LittleEndian(span) + WalFiles.FrameHeaderSize;
                        if (needed > buffer.Length && needed <= length - Position.Offset)
                        {
                            buffer = new byte[needed];
                            continue;
                        }
                    }
                    break;
                }
                Position = Position with { Offset = Position.Offset + offset };
            }
            if (into.Count >= maxSamples)
            {
                return unknown;
            }
            // At the end of what decodes: go on only once a later segment exists (this one is closed).
            var next = WalFiles.Segments(dir).FirstOrDefault(s => s.Index > Position.Segment);
            if (next.Path is null)
            {
                return unknown;
            }
            if (RandomAccess.GetLength(handle!) != length)
            {
                continue; // the segment grew before it was closed: read the rest first
            }
            // Anything left undecoded in a closed segment is a torn tail a crash left; the store's repair dropped it too.
            Position = new WalPosition(next.Index, 0);
        }
        return unknown;
    }

    public void Dispose() => handle?.Dispose();

    private int Apply(WalRecord record, List<(Labels Labels, long T, double V)> into)
    {
        var unknown = 0;
        switch (record)
        {
            case SeriesRecord r:
                foreach (var (id, labels) in r.Series)
                {
                    series[id] = labels;
                }
                break;
            case SamplesRecord r:
                foreach (var (id, t, v) in r.Samples)
                {
                    if (series.TryGetValue(id, out var labels))
                    {
                        into.Add((labels, t, v));
                    }
                    else
                    {
                        unknown++;
                    }
                }
                break;
        }
        return unknown;
    }

    private bool OpenCurrent()
    {
        if (handleSegment == Position.Segment && handle is not null)
        {
            return true;
        }
        handle?.Dispose();
        handle = null;
        handleSegment = -1;
        var path = WalFiles.SegmentPath(dir, Position.Segment);
        if (!File.Exists(path))
        {
            // Deleted (or not written yet): jump to the first segment after it, if any.
            var next = WalFiles.Segments(dir).FirstOrDefault(s => s.Index > Position.Segment);
            if (next.Path is null)
            {
                return false;
            }
            Position = new WalPosition(next.Index, 0);
            path = next.Path;
        }
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        handleSegment = Position.Segment;
        return true;
    }
}
