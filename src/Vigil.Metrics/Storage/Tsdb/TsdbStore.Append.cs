namespace Vigil.Metrics.Storage.Tsdb;

public sealed partial class TsdbStore
{
    [ThreadStatic]
    private static ByteSink? walBuffer;

    internal ValueTask SyncWalAsync(long sequence) => wal.SyncAsync(sequence);

    /// <summary>
    /// Applies a batch to the head and writes the accepted part to the WAL, both under the store
    /// lock so the log holds records in exactly the order the head applied them (replay then
    /// reaches the same decisions). Returns the WAL sequence to wait for, or 0 when nothing was written.
    /// </summary>
    internal (AppendResult Result, long Sequence) Apply(IReadOnlyList<(Labels Labels, long T, double V)> batch)
    {
        var newSeries = new List<(int, Labels)>();
        var accepted = new List<(int, long, double)>(batch.Count);
        int appended = 0, outOfOrder = 0, duplicates = 0, invalid = 0;
        var window = (long)options.OutOfOrderTimeWindow.TotalMilliseconds;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
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
    private static void Replay(Head head, IReadOnlyList<WalRecord> records)
    {
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
                            continue; // its series record was lost with a repaired tail
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
    }
}
