namespace Vigil.Metrics.Storage.Tsdb;

public sealed partial class TsdbStore
{
    /// <summary>Lists kept longer than this after a huge batch are dropped instead of reused.</summary>
    private const int MaxKeptScratch = 1 << 16;

    [ThreadStatic]
    private static ByteSink? walBuffer;

    /// <summary>
    /// Writers queue here, one batch applied at a time. Waiting is asynchronous: with a few cores
    /// and many concurrent remote-write requests, waiters that spun on <see cref="gate"/> burned
    /// the CPU the holder and the decoders needed; now they yield their thread to other requests.
    /// </summary>
    private readonly SemaphoreSlim writers = new(1, 1);

    // Reused by Apply, which runs under the lock, instead of allocated per batch.
    private List<(int Id, Labels Labels)> newSeriesScratch = [];
    private List<(int Id, long T, double V)> acceptedScratch = [];

    internal ValueTask SyncWalAsync(long sequence) => wal.SyncAsync(sequence);

    /// <summary>Waits for the writers' turn, then <see cref="Apply"/>.</summary>
    internal async ValueTask<(AppendResult Result, long Sequence)> ApplyAsync(ArraySegment<(Labels Labels, long T, double V)> batch)
    {
        await writers.WaitAsync().ConfigureAwait(false);
        try
        {
            return Apply(batch);
        }
        finally
        {
            writers.Release();
        }
    }

    /// <summary>
    /// Applies a batch to the head and writes the accepted part to the WAL, both under the store
    /// lock so the log holds records in exactly the order the head applied them (replay then
    /// reaches the same decisions). Returns the WAL sequence to wait for, or 0 when nothing was written.
    /// </summary>
    internal (AppendResult Result, long Sequence) Apply(ReadOnlySpan<(Labels Labels, long T, double V)> batch)
    {
        int appended = 0, outOfOrder = 0, duplicates = 0, invalid = 0;
        var window = (long)options.OutOfOrderTimeWindow.TotalMilliseconds;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var newSeries = newSeriesScratch;
            var accepted = acceptedScratch;
            newSeries.Clear();
            accepted.Clear();
            foreach (var (labels, t, v) in batch)
            {
                if (!IsValid(labels))
                {
                    invalid++;
                    continue;
                }
                var s = head.GetOrCreate(labels, out var created);
                if (created)
                {
                    newSeries.Add((s.Id, s.Labels));
                }
                var verdict = AppendRules.Classify(s.HasSamples, s.MaxTime, s.LastValue, t, v, window);
                if (verdict == AppendVerdict.OutOfOrder)
                {
                    verdict = AppendRules.ResolveOutOfOrder(s.ValueAt(t), v);
                }
                switch (verdict)
                {
                    case AppendVerdict.InOrder:
                        head.AppendInOrder(s, t, v);
                        accepted.Add((s.Id, t, v));
                        appended++;
                        break;
                    case AppendVerdict.OutOfOrder:
                        s.InsertOutOfOrder(new Sample(t, v));
                        accepted.Add((s.Id, t, v));
                        appended++;
                        outOfOrderAccepted++;
                        break;
                    case AppendVerdict.SameAsExisting:
                        appended++;
                        break;
                    case AppendVerdict.Duplicate:
                        duplicates++;
                        break;
                    case AppendVerdict.TooOld:
                        outOfOrder++;
                        break;
                }
            }
            samplesAppended += appended;
            outOfOrderRejected += outOfOrder;
            duplicatesRejected += duplicates;
            long sequence = 0;
            if (newSeries.Count > 0 || accepted.Count > 0)
            {
                var sink = walBuffer ??= new ByteSink(4096);
                sink.Clear();
                if (newSeries.Count > 0)
                {
                    WalFiles.Frame(sink, b => WalRecords.EncodeSeries(b, newSeries));
                }
                if (accepted.Count > 0)
                {
                    WalFiles.Frame(sink, b => WalRecords.EncodeSamples(b, accepted));
                }
                sequence = wal.Write(sink.Span);
            }
            if (accepted.Capacity > MaxKeptScratch)
            {
                acceptedScratch = [];
            }
            if (newSeries.Capacity > MaxKeptScratch)
            {
                newSeriesScratch = [];
            }
            return (new AppendResult(appended, outOfOrder, duplicates, invalid), sequence);
        }
    }

    /// <summary>A series needs a metric name and non-empty label names.</summary>
    private static bool IsValid(Labels labels)
    {
        if (labels.MetricName.Length == 0)
        {
            return false;
        }
        foreach (var l in labels.AsSpan())
        {
            if (l.Name.Length == 0 || l.Value.Length == 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Rebuilds the head from a checkpoint and the WAL segments after it. Replayed samples were
    /// accepted when first written, so they are applied without the out-of-order window check.
    /// </summary>
    /// <returns>Samples whose series record was lost with a damaged stretch of the log: they cannot be placed.</returns>
    private static long Replay(Head head, IReadOnlyList<WalRecord> records)
    {
        long unknown = 0;
        var aliases = new Dictionary<int, MemSeries>();
        foreach (var record in records)
        {
            switch (record)
            {
                case CheckpointHeaderRecord h:
                    head.NextId = Math.Max(head.NextId, h.NextSeriesId);
                    break;
                case SeriesSnapshotRecord snapshot:
                    head.Restore(snapshot);
                    break;
                case SeriesRecord series:
                    foreach (var (id, labels) in series.Series)
                    {
                        aliases[id] = head.Get(labels) ?? (head.Get(id) is null ? head.Create(id, labels) : head.Create(head.NextId, labels));
                    }
                    break;
                case SamplesRecord samples:
                    foreach (var (id, t, v) in samples.Samples)
                    {
                        var s = aliases.GetValueOrDefault(id) ?? head.Get(id);
                        if (s is null)
                        {
                            unknown++; // its series record was lost with a damaged stretch
                            continue;
                        }
                        if (!s.HasSamples || t > s.MaxTime)
                        {
                            head.AppendInOrder(s, t, v);
                        }
                        else if (t < s.MaxTime)
                        {
                            s.InsertOutOfOrder(new Sample(t, v));
                        }
                    }
                    break;
            }
        }
        return unknown;
    }
}
