namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// The in-memory part of the store: series by labels and by id, their postings, and a pool
/// that interns label strings so a thousand series of one job share one <c>"job"</c> and one
/// value string. Not thread-safe: <see cref="TsdbStore"/> guards it with its lock.
/// </summary>
internal sealed class Head
{
    private readonly long blockDurationMs;
    // A set of series found by their labels (an alternate lookup) rather than a dictionary from
    // labels to series: an entry is 16 bytes instead of 24, the labels being the series' own.
    private readonly HashSet<MemSeries> byLabels = new(ByLabels.Instance);
    private readonly HashSet<MemSeries>.AlternateLookup<Labels> seriesOf;
    private readonly SeriesById byId = new();
    private readonly HashSet<string> strings = new(StringComparer.Ordinal);

    public Head(long blockDurationMs)
    {
        this.blockDurationMs = blockDurationMs;
        seriesOf = byLabels.GetAlternateLookup<Labels>();
    }

    public HeadPostings Postings { get; } = new();

    public int NextId { get; set; } = 1;

    public long ChunkCount { get; private set; }

    public long MaxTime { get; private set; } = long.MinValue;

    public int SeriesCount => byId.Count;

    public IEnumerable<MemSeries> AllSeries => byId.Values;

    /// <summary>The series this label set was last found as, while it is still this head's; else null.</summary>
    public MemSeries? Hinted(Labels labels) => labels.Series is { } s && s.Owner == this ? s : null;

    /// <summary>Finds the series by its labels (its caller tried <see cref="Hinted"/> first) or creates it; either way the set remembers it.</summary>
    public MemSeries GetOrCreate(Labels labels, out bool created)
    {
        created = false;
        if (seriesOf.TryGetValue(labels, out var s))
        {
            labels.Series = s;
            return s;
        }
        created = true;
        s = Create(NextId, labels);
        labels.Series = s;
        return s;
    }

    /// <summary>Creates a series with a given id (replay) or the next id.</summary>
    public MemSeries Create(int id, Labels labels)
    {
        var s = new MemSeries(id, Interned(labels)) { Owner = this };
        if (byLabels.TryGetValue(s, out var replaced)) // a series with these labels, replaced
        {
            replaced.Owner = null;
            byLabels.Remove(replaced);
        }
        byLabels.Add(s);
        s.Labels.Series = s;
        byId.Set(id, s);
        Postings.Add(id, s.Labels);
        NextId = Math.Max(NextId, id + 1);
        return s;
    }

    public MemSeries? Get(int id) => byId.Get(id);

    public MemSeries? Get(Labels labels) => seriesOf.TryGetValue(labels, out var s) ? s : null;

    public void AppendInOrder(MemSeries s, long t, double v)
    {
        if (s.AppendInOrder(t, v, blockDurationMs))
        {
            ChunkCount++;
        }
        MaxTime = Math.Max(MaxTime, t);
    }

    public void Restore(SeriesSnapshotRecord snapshot)
    {
        var s = Get(snapshot.Id) ?? Create(snapshot.Id, snapshot.Labels);
        ChunkCount -= s.ChunkCount;
        s.Restore(snapshot);
        ChunkCount += s.ChunkCount;
        if (s.HasSamples)
        {
            MaxTime = Math.Max(MaxTime, s.MaxTime);
        }
    }

    public void RemoveCompacted(MemSeries s, IReadOnlyList<HeadChunk> chunks, IReadOnlyList<Sample> outOfOrder)
    {
        ChunkCount -= s.RemoveCompacted(chunks, outOfOrder);
    }

    /// <summary>
    /// Drops series that hold no samples any more (all compacted into blocks). A later sample for
    /// the same labels creates the series anew, as in Prometheus's head garbage collection.
    /// </summary>
    public int RemoveEmptySeries()
    {
        var empty = byId.Values.Where(s => s.IsEmpty).ToList();
        foreach (var s in empty)
        {
            byId.Remove(s.Id);
            byLabels.Remove(s);
            s.Owner = null;
            Postings.Remove(s.Id, s.Labels);
        }
        return empty.Count;
    }

    /// <summary>
    /// Lets go of the label sets' references to this head's series (the store is closing), so a
    /// label set the remote-write decoder's process-wide cache keeps does not keep the head alive.
    /// </summary>
    public void Release()
    {
        foreach (var s in byId.Values)
        {
            s.Owner = null;
            if (ReferenceEquals(s.Labels.Series, s))
            {
                s.Labels.Series = null;
            }
        }
    }

    /// <summary>The oldest timestamp held by any series, or <see cref="long.MaxValue"/>.</summary>
    public long MinTime()
    {
        var min = long.MaxValue;
        foreach (var s in byId.Values)
        {
            min = Math.Min(min, s.MinTime);
        }
        return min;
    }

    public MemSeries[] Select(IReadOnlyList<LabelMatcher> matchers)
    {
        var ids = Tsdb.Postings.Select(Postings, matchers);
        var result = new MemSeries[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            result[i] = byId.Get(ids[i]) ?? throw new InvalidOperationException($"series {ids[i]} is in the postings but not in the head");
        }
        return result;
    }

    /// <summary>
    /// The labels with pooled strings. When the caller's strings already are the pooled ones (a
    /// remote-write sender's labels usually are: the pool took them from its first series), its
    /// label set is kept as it is, and the decoder's cache and the head share one copy.
    /// </summary>
    private Labels Interned(Labels labels)
    {
        var items = labels.AsSpan();
        Label[]? interned = null;
        for (var i = 0; i < items.Length; i++)
        {
            var name = Intern(items[i].Name);
            var value = Intern(items[i].Value);
            if (interned is null && (!ReferenceEquals(name, items[i].Name) || !ReferenceEquals(value, items[i].Value)))
            {
                interned = items.ToArray();
            }
            if (interned is not null)
            {
                interned[i] = new Label(name, value);
            }
        }
        return interned is null ? labels : Labels.FromSorted(interned);
    }

    private string Intern(string s)
    {
        if (strings.TryGetValue(s, out var existing))
        {
            return existing;
        }
        strings.Add(s);
        return s;
    }


    /// <summary>Series are equal when their labels are; a label set finds its series.</summary>
    private sealed class ByLabels : IEqualityComparer<MemSeries>, IAlternateEqualityComparer<Labels, MemSeries>
    {
        public static ByLabels Instance { get; } = new();

        public bool Equals(MemSeries? x, MemSeries? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.Labels.Equals(y.Labels));

        public int GetHashCode(MemSeries obj) => obj.Labels.GetHashCode();

        public bool Equals(Labels alternate, MemSeries other) => alternate.Equals(other.Labels);

        public int GetHashCode(Labels alternate) => alternate.GetHashCode();

        public MemSeries Create(Labels alternate) => throw new NotSupportedException("Series are added whole, not made from labels.");
    }
}
