namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// One series in the head: its interned labels, sealed chunks in time order, the open chunk
/// being appended to, and the rare out-of-order samples kept sorted beside them. Kept small on
/// purpose: a head holds hundreds of thousands of these. Callers hold the store lock.
/// </summary>
internal sealed class MemSeries(int id, Labels labels)
{
    private long openChunkEnd;

    public int Id { get; } = id;

    public Labels Labels { get; } = labels;

    /// <summary>The head holding this series; null once it is removed or replaced.</summary>
    public Head? Owner { get; set; }

    public List<HeadChunk>? Sealed { get; private set; }

    public XorChunkWriter? Open { get; private set; }

    public List<Sample>? OutOfOrder { get; private set; }

    public bool HasSamples { get; private set; }

    public long MaxTime { get; private set; } = long.MinValue;

    public double LastValue { get; private set; }

    public bool IsEmpty => Sealed is null or { Count: 0 } && Open is null && OutOfOrder is null or { Count: 0 };

    public int ChunkCount => (Sealed?.Count ?? 0) + (Open is null ? 0 : 1);

    /// <summary>The oldest timestamp held, or <see cref="long.MaxValue"/> when empty.</summary>
    public long MinTime
    {
        get
        {
            var min = long.MaxValue;
            if (Sealed is { Count: > 0 })
            {
                min = Sealed[0].MinTime;
            }
            else if (Open is not null)
            {
                min = Open.MinTime;
            }
            if (OutOfOrder is { Count: > 0 })
            {
                min = Math.Min(min, OutOfOrder[0].TimestampMs);
            }
            return min;
        }
    }

    /// <summary>
    /// Appends a sample newer than <see cref="MaxTime"/>. A chunk is cut at 120 samples or when the
    /// sample crosses into the next block-aligned range (Prometheus cuts at chunk range
    /// boundaries too), so every chunk belongs to exactly one future block. Returns whether a new
    /// chunk was started.
    /// </summary>
    public bool AppendInOrder(long t, double v, long blockDurationMs)
    {
        var cut = false;
        if (Open is null || Open.Count >= XorChunkWriter.TargetSamples || t >= openChunkEnd)
        {
            // A series compresses about as well from chunk to chunk: size the next buffer like the
            // last full one instead of growing it by doubling, which wastes up to half.
            var capacity = Open is { Count: >= XorChunkWriter.TargetSamples } ? Open.ByteLength + 16 : 32;
            SealOpen();
            Open = new XorChunkWriter(capacity);
            openChunkEnd = CompactionRules.RangeOf(t, blockDurationMs).End;
            cut = true;
        }
        Open.Append(t, v);
        MaxTime = t;
        LastValue = v;
        HasSamples = true;
        return cut;
    }

    public void InsertOutOfOrder(Sample s)
    {
        OutOfOrder ??= [];
        var i = LowerBound(OutOfOrder, s.TimestampMs);
        if (i < OutOfOrder.Count && OutOfOrder[i].TimestampMs == s.TimestampMs)
        {
            return;
        }
        OutOfOrder.Insert(i, s);
    }

    /// <summary>The value stored at <paramref name="t"/>, or null.</summary>
    public double? ValueAt(long t)
    {
        if (OutOfOrder is not null)
        {
            var i = LowerBound(OutOfOrder, t);
            if (i < OutOfOrder.Count && OutOfOrder[i].TimestampMs == t)
            {
                return OutOfOrder[i].Value;
            }
        }
        var found = new List<Sample>(1);
        foreach (var data in ChunksOverlapping(t, t) ?? [])
        {
            XorChunkReader.Decode(data, t, t, found);
        }
        return found.Count > 0 ? found[0].Value : null;
    }

    /// <summary>
    /// Chunk bytes overlapping [minT, maxT], or null when none does; the open chunk is copied, so
    /// the result may be read without the lock. A query asks this of every series it selects.
    /// </summary>
    public List<byte[]>? ChunksOverlapping(long minT, long maxT)
    {
        List<byte[]>? chunks = null;
        if (Sealed is not null)
        {
            foreach (var c in Sealed)
            {
                if (c.MinTime <= maxT && c.MaxTime >= minT)
                {
                    (chunks ??= new List<byte[]>(Sealed.Count + 1)).Add(c.Data);
                }
            }
        }
        if (Open is not null && Open.MinTime <= maxT && Open.MaxTime >= minT)
        {
            (chunks ??= new List<byte[]>(1)).Add(Open.ToArray());
        }
        return chunks;
    }

    public bool HasDataIn(long minT, long maxT)
    {
        if (Sealed is not null)
        {
            foreach (var c in Sealed)
            {
                if (c.MinTime <= maxT && c.MaxTime >= minT)
                {
                    return true;
                }
            }
        }
        if (Open is not null && Open.MinTime <= maxT && Open.MaxTime >= minT)
        {
            return true;
        }
        return OutOfOrderRange(minT, maxT).Count > 0;
    }

    public Sample[] OutOfOrderIn(long minT, long maxT)
    {
        var (from, count) = OutOfOrderRange(minT, maxT);
        return count == 0 ? [] : [.. OutOfOrder!.GetRange(from, count)];
    }

    /// <summary>Where the out-of-order samples in [minT, maxT] lie in <see cref="OutOfOrder"/> (sorted by time).</summary>
    private (int From, int Count) OutOfOrderRange(long minT, long maxT)
    {
        if (OutOfOrder is null)
        {
            return (0, 0);
        }
        var from = LowerBound(OutOfOrder, minT);
        var to = from;
        while (to < OutOfOrder.Count && OutOfOrder[to].TimestampMs <= maxT)
        {
            to++;
        }
        return (from, to - from);
    }

    /// <summary>Seals the open chunk if it lies inside <paramref name="range"/>, then returns the chunks that start in it (chunks never cross a range boundary).</summary>
    public List<HeadChunk> TakeChunksIn(TimeRange range)
    {
        if (Open is not null && openChunkEnd <= range.End)
        {
            SealOpen();
        }
        return Sealed is null ? [] : Sealed.FindAll(c => c.MinTime < range.End);
    }

    /// <summary>Forgets chunks and out-of-order samples that a block now holds; returns how many chunks went.</summary>
    public int RemoveCompacted(IReadOnlyList<HeadChunk> chunks, IReadOnlyList<Sample> outOfOrder)
    {
        var removed = 0;
        foreach (var c in chunks)
        {
            if (Sealed is not null && Sealed.Remove(c))
            {
                removed++;
            }
        }
        foreach (var s in outOfOrder)
        {
            var i = OutOfOrder is null ? -1 : LowerBound(OutOfOrder, s.TimestampMs);
            if (i >= 0 && i < OutOfOrder!.Count && OutOfOrder[i].TimestampMs == s.TimestampMs)
            {
                OutOfOrder.RemoveAt(i);
            }
        }
        if (OutOfOrder is { Count: 0 })
        {
            OutOfOrder = null;
        }
        return removed;
    }

    /// <summary>Restores a checkpointed series; its open chunk comes back sealed and the next sample starts a new one.</summary>
    public void Restore(SeriesSnapshotRecord snapshot)
    {
        Sealed = snapshot.Chunks.Count > 0 ? [.. snapshot.Chunks] : null;
        OutOfOrder = snapshot.OutOfOrder.Count > 0 ? [.. snapshot.OutOfOrder] : null;
        MaxTime = snapshot.MaxTime;
        LastValue = snapshot.LastValue;
        HasSamples = snapshot.MaxTime != long.MinValue;
    }

    /// <summary>A checkpoint copy of this series, safe to encode without the lock.</summary>
    public SeriesSnapshotRecord Snapshot()
    {
        var chunks = new List<HeadChunk>(ChunkCount);
        if (Sealed is not null)
        {
            chunks.AddRange(Sealed);
        }
        if (Open is not null)
        {
            chunks.Add(new HeadChunk(Open.ToArray(), Open.MinTime, Open.MaxTime));
        }
        return new SeriesSnapshotRecord(Id, Labels, HasSamples ? MaxTime : long.MinValue, LastValue, chunks, OutOfOrder is null ? [] : [.. OutOfOrder]);
    }

    private void SealOpen()
    {
        if (Open is null)
        {
            return;
        }
        Sealed ??= [];
        Sealed.Add(new HeadChunk(Open.ToArray(), Open.MinTime, Open.MaxTime));
        Open = null;
    }

    private static readonly Comparer<Sample> ByTime = Comparer<Sample>.Create((a, b) => a.TimestampMs.CompareTo(b.TimestampMs));

    /// <summary>Index of the sample at <paramref name="t"/>, or of where it would go (out-of-order timestamps are unique).</summary>
    private static int LowerBound(List<Sample> samples, long t)
    {
        var i = samples.BinarySearch(new Sample(t, 0), ByTime);
        return i >= 0 ? i : ~i;
    }
}
