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

    /// <summary>
    /// Log records of a batch the head applied but the WAL refused (the disk was full). They go to
    /// the log before anything else, in order, since a later record may name a series only they
    /// create; until they do, every batch is refused before it touches the head.
    /// </summary>
    private byte[]? unloggedFrames;
    private Exception? lastWriteError;
    private long writeFailures;

    /// <summary>Why the last write to the WAL failed, while writes are refused; null once one succeeds again.</summary>
    public Exception? LastWriteError => Volatile.Read(ref lastWriteError);

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
            var unlogged = WriteUnloggedLocked();
            var newSeries = newSeriesScratch;
            var accepted = acceptedScratch;
            newSeries.Clear();
            accepted.Clear();
            foreach (var (labels, t, v) in batch)
            {
                // A label set that found its series before was valid then (labels are immutable).
                var s = head.Hinted(labels);
                if (s is null)
                {
                    if (!IsValid(labels))
                    {
                        invalid++;
                        continue;
                    }
                    s = head.GetOrCreate(labels, out var created);
                    if (created)
                    {
                        newSeries.Add((s.Id, s.Labels));
                    }
                }
                var verdict = AppendRules.Classify(s.HasSamples, s.MaxTime, s.LastValue, t, v, window);
                if (verdict == AppendVerdict.OutOfOrder)
                {
                    verdict = AppendRules.ResolveOutOfOrder(s.ValueAt(t), v);
                }
                else if (verdict == AppendVerdict.TooOld)
                {
                    verdict = AppendRules.ResolveTooOld(s.ValueAt(t), v);
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
            var sequence = unlogged;
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
                try
                {
                    sequence = wal.Write(sink.Span);
                }
                catch (IOException e)
                {
                    // The head holds the batch already: its records wait for the log, and the
                    // sender, refused, sends it again and finds it there (SameAsExisting), with
                    // its acknowledgement waiting for these records to be written and synced.
                    unloggedFrames = sink.Span.ToArray();
                    RecordWriteFailure(e);
                    throw;
                }
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

    /// <summary>
    /// Writes the records a full disk refused earlier, or throws (refusing the batch before the
    /// head changes); returns their WAL sequence, or 0 when there were none.
    /// </summary>
    private long WriteUnloggedLocked()
    {
        if (unloggedFrames is not { } frames)
        {
            return 0;
        }
        long sequence;
        try
        {
            sequence = wal.Write(frames);
        }
        catch (IOException e)
        {
            RecordWriteFailure(e);
            throw;
        }
        unloggedFrames = null;
        Volatile.Write(ref lastWriteError, null);
        return sequence;
    }

    private void RecordWriteFailure(IOException e)
    {
        Interlocked.Increment(ref writeFailures);
        Volatile.Write(ref lastWriteError, e);
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
