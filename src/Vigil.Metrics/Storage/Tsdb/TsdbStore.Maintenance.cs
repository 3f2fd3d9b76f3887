namespace Vigil.Metrics.Storage.Tsdb;

public sealed partial class TsdbStore
{
    /// <summary>
    /// Compacts head data older than about 1.5 block durations into blocks, checkpoints the head
    /// and truncates the WAL it covers, applies retention, then merges overlapping blocks and
    /// small blocks into larger ones. The timer calls this too; runs
    /// never overlap.
    /// </summary>
    public async Task RunMaintenanceAsync(CancellationToken cancellationToken = default)
    {
        await maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long unlogged;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                // Records a full disk refused go to the log once it has room, even with no new writes.
                unlogged = WriteUnloggedLocked();
            }
            if (unlogged > 0)
            {
                await wal.SyncAsync(unlogged).ConfigureAwait(false);
            }
            if (Compact(cancellationToken))
            {
                Checkpoint();
            }
            ApplyRetention();
            MergeBlocks(cancellationToken);
        }
        finally
        {
            maintenance.Release();
        }
    }

    private async Task MaintainLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RunMaintenanceAsync(cancellationToken).ConfigureAwait(false);
                    Volatile.Write(ref lastMaintenanceError, null); // a run that succeeds ends the degraded state
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store keeps serving; the failure shows in stats and the next tick retries.
                    Interlocked.Increment(ref maintenanceFailures);
                    lastMaintenanceError = e;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The store is closing.
        }
    }

    /// <summary>Writes blocks until the head spans no more than 1.5 block durations; returns whether any was written.</summary>
    private bool Compact(CancellationToken cancellationToken)
    {
        var blockDuration = (long)options.BlockDuration.TotalMilliseconds;
        var any = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeRange range;
            long headMin;
            var job = new List<(MemSeries Series, List<HeadChunk> Chunks, Sample[] OutOfOrder)>();
            lock (gate)
            {
                headMin = head.MinTime();
                if (CompactionRules.NextRange(headMin, head.MaxTime, blockDuration) is not { } next)
                {
                    break;
                }
                range = next;
                foreach (var s in head.AllSeries)
                {
                    var chunks = s.TakeChunksIn(range);
                    var outOfOrder = s.OutOfOrderIn(range.Start, range.End - 1);
                    if (chunks.Count > 0 || outOfOrder.Length > 0)
                    {
                        job.Add((s, chunks, outOfOrder));
                    }
                }
            }
            if (job.Count == 0)
            {
                break;
            }
            var maxTime = Math.Max(range.End, job.Max(j => Math.Max(j.Chunks.Count > 0 ? j.Chunks[^1].MaxTime : long.MinValue, j.OutOfOrder.Length > 0 ? j.OutOfOrder[^1].TimestampMs : long.MinValue)) + 1);
            var input = job
                .OrderBy(j => j.Series.Labels, LabelOrder)
                .Select(j => new BlockSeries(j.Series.Labels, j.OutOfOrder.Length == 0 ? j.Chunks : Reencode([j.Chunks], [.. j.OutOfOrder])));
            var id = Guid.CreateVersion7(options.TimeProvider.GetUtcNow());
            var block = Block.Open(BlockFormat.Write(blocksDir, id, range.Start, maxTime, input));
            block.DamageLog = blockDamage;
            lock (gate)
            {
                blocks.Add(block);
                foreach (var (s, chunks, outOfOrder) in job)
                {
                    head.RemoveCompacted(s, chunks, outOfOrder);
                }
                head.RemoveEmptySeries();
                compactions++;
                any = true;
                if (head.MinTime() <= headMin)
                {
                    break; // nothing left to gain: never spin on data that will not move
                }
            }
        }
        return any;
    }

    private static readonly Comparer<Labels> LabelOrder = Comparer<Labels>.Create(Labels.Compare);

    /// <summary>
    /// Decodes runs of chunks (each run in time order; runs may overlap), merges them with extra
    /// samples, and encodes the result into fresh chunks of at most 120 samples.
    /// </summary>
    private static List<HeadChunk> Reencode(IEnumerable<IReadOnlyList<HeadChunk>> chunkRuns, List<Sample> extra)
    {
        var runs = new List<IReadOnlyList<Sample>>();
        foreach (var run in chunkRuns)
        {
            var samples = new List<Sample>();
            foreach (var c in run)
            {
                XorChunkReader.Decode(c.Data, long.MinValue, long.MaxValue, samples);
            }
            runs.Add(samples);
        }
        runs.Add(extra);
        var merged = SampleMerge.Merge(runs);
        var result = new List<HeadChunk>();
        for (var i = 0; i < merged.Count; i += XorChunkWriter.TargetSamples)
        {
            var part = merged.GetRange(i, Math.Min(XorChunkWriter.TargetSamples, merged.Count - i));
            result.Add(new HeadChunk(XorChunkWriter.Encode([.. part]), part[0].TimestampMs, part[^1].TimestampMs));
        }
        return result;
    }

    /// <summary>
    /// Our equivalent of a Prometheus WAL checkpoint: under the lock, the WAL moves to a new
    /// segment and every head series is copied with its chunks as they are; the copy is written
    /// to <c>wal/checkpoint.N</c> (N = last covered segment) and segments up to N are deleted.
    /// Replay loads the newest checkpoint and then only the segments after it.
    /// </summary>
    private void Checkpoint()
    {
        int covered;
        int nextId;
        List<SeriesSnapshotRecord> series;
        lock (gate)
        {
            covered = wal.Rotate();
            nextId = head.NextId;
            series = [.. head.AllSeries.OrderBy(s => s.Id).Select(s => s.Snapshot())];
        }
        var final = WalFiles.CheckpointPath(walDir, covered);
        var tmp = final + ".tmp";
        System.IO.Directory.CreateDirectory(tmp);
        try
        {
            WriteCheckpoint(tmp, nextId, series);
        }
        catch (IOException)
        {
            // A full disk: the half-written checkpoint goes now, not at the next start, and the
            // segments it would have covered stay; the next run tries again.
            BlockFormat.TryDelete(tmp);
            throw;
        }
        System.IO.Directory.Move(tmp, final);
        // Segments a remote-write queue has not sent yet stay (Prometheus instead loses what a
        // queue has not sent when its WAL is truncated: https://prometheus.io/docs/practices/remote_write/).
        wal.DeleteSegmentsThrough(LowestRetainedSegment() is { } keep ? Math.Min(covered, keep - 1) : covered);
        foreach (var (index, path) in WalFiles.Checkpoints(walDir))
        {
            if (index < covered)
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
    }

    private static void WriteCheckpoint(string directory, int nextId, List<SeriesSnapshotRecord> series)
    {
        using var file = new FileStream(Path.Combine(directory, "00000000"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var sink = new ByteSink(1 << 16);
        WalFiles.Frame(sink, b => WalRecords.EncodeCheckpointHeader(b, nextId));
        foreach (var s in series)
        {
            WalFiles.Frame(sink, b => WalRecords.EncodeSnapshot(b, s));
            if (sink.Length > 1 << 20)
            {
                file.Write(sink.Span);
                sink.Clear();
            }
        }
        file.Write(sink.Span);
        file.Flush(flushToDisk: true);
    }

    private void ApplyRetention()
    {
        List<Block> doomed;
        lock (gate)
        {
            var plan = RetentionRules.BlocksToDelete(
                [.. blocks.Select(b => b.Extent)],
                options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                (long)options.RetentionTime.TotalMilliseconds,
                options.RetentionSizeBytes,
                wal.SizeBytes);
            var ids = plan.Select(p => p.Block.Id).ToHashSet();
            doomed = blocks.FindAll(b => ids.Contains(b.Id));
            blocks.RemoveAll(b => ids.Contains(b.Id));
            retentionDeleted += doomed.Count;
        }
        doomed.ForEach(b => b.Retire());
    }
}
