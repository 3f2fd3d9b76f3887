namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// The embedded durable sample store, modelled on the Prometheus TSDB: a write-ahead log, an
/// in-memory head of Gorilla-compressed chunks with an inverted index, and immutable on-disk
/// blocks that the head is compacted into. Open with <see cref="Open"/>, write through
/// <see cref="Appender"/>, read through <see cref="Select"/>; compaction and retention run on a
/// timer (<see cref="TsdbOptions.MaintenanceInterval"/>) or on <see cref="RunMaintenanceAsync"/>.
/// </summary>
/// <remarks>
/// Layout under the directory: <c>wal/00000001</c>... (segments of CRC-framed records),
/// <c>wal/checkpoint.NNNNNNNN/</c> (the head as of segment N), <c>blocks/&lt;id&gt;/</c>
/// (<c>index</c>, <c>chunks</c>, <c>meta.json</c>). Samples become visible to queries while their
/// commit is being fsynced, slightly before <see cref="ISampleAppender.CommitAsync"/> returns.
/// Unlike Prometheus, there is no head-wide minimum valid time: a series' first sample may have
/// any timestamp (so history can be imported from 1970 next to live series), and only the
/// per-series order and out-of-order window apply. Data that lands in an already compacted range
/// becomes an overlapping block that the next maintenance merges, deduplicating timestamps.
/// Retention still applies to imported history: blocks older than the retention time go.
/// </remarks>
public sealed partial class TsdbStore : ISampleStore, IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly SemaphoreSlim maintenance = new(1, 1);
    private readonly TsdbOptions options;
    private readonly string walDir;
    private readonly string blocksDir;
    private readonly Head head;
    private readonly WalLog wal;
    private readonly List<Block> blocks;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task maintenanceLoop;
    private readonly long unknownSeriesSamples;
    private long samplesAppended;
    private long outOfOrderAccepted;
    private long outOfOrderRejected;
    private long duplicatesRejected;
    private long compactions;
    private long retentionDeleted;
    private long maintenanceFailures;
    private bool disposed;
    private Exception? lastMaintenanceError;
    private readonly BlockDamageLog blockDamage;

    private TsdbStore(string directory, TsdbOptions options, Head head, List<Block> blocks, WalReadResult replay, long unknownSeriesSamples, BlockDamageLog blockDamage)
    {
        this.blockDamage = blockDamage;
        this.options = options;
        this.head = head;
        this.blocks = blocks;
        walDir = Path.Combine(directory, "wal");
        blocksDir = Path.Combine(directory, "blocks");
        WalDamage = replay.Damage;
        this.unknownSeriesSamples = unknownSeriesSamples;
        wal = WalLog.Open(walDir, options.WalSegmentSizeBytes);
        FirstSegmentOfProcess = wal.CurrentIndex;
        maintenanceLoop = options.MaintenanceInterval is { } interval ? MaintainLoopAsync(interval, stopping.Token) : Task.CompletedTask;
    }

    /// <summary>
    /// What did not decode in the write-ahead log when the store opened: each stretch was cut and
    /// kept in <c>wal/damaged/</c>, and the rest of the log replayed. Empty after a clean start.
    /// </summary>
    public IReadOnlyList<WalDamage> WalDamage { get; }

    /// <summary>
    /// Stretches of disk damage kept in <c>wal/damaged/</c> that nobody has acknowledged, from this
    /// start or an earlier one (torn tails a crash left are not listed: they were never acknowledged writes).
    /// </summary>
    public IReadOnlyList<string> UnacknowledgedWalDamage() => DamageLedger.Unacknowledged(walDir);

    /// <summary>
    /// Damaged blocks and chunks kept in <c>damaged/</c> beside <c>blocks/</c> that nobody has
    /// acknowledged (<c>block-NAME@index</c>: a block moved aside whole; <c>block-NAME@chunk-OFFSET</c>:
    /// one chunk's bytes, its samples left out of answers), from this start or an earlier one.
    /// </summary>
    public IReadOnlyList<string> UnacknowledgedBlockDamage() => DamageLedger.Unacknowledged(Directory);

    /// <summary>Block damage found since the store opened, in order.</summary>
    public IReadOnlyList<BlockDamage> BlockDamage => blockDamage.Snapshot();

    /// <summary>Called once for each piece of block damage found from now on (a read meeting a bad chunk).</summary>
    public Action<BlockDamage>? OnBlockDamage
    {
        get => blockDamage.Found;
        set => blockDamage.Found = value;
    }

    /// <summary>Records that an operator has seen every kept stretch of WAL and block damage; returns those that were new.</summary>
    public IReadOnlyList<string> AcknowledgeDamage() => [.. DamageLedger.Acknowledge(walDir), .. DamageLedger.Acknowledge(Directory)];

    /// <summary>Directory this store lives in.</summary>
    public string Directory => Path.GetDirectoryName(walDir)!;

    /// <summary>
    /// Opens (or creates) a store in <paramref name="directory"/>: loads its blocks and replays
    /// the write-ahead log into the head. A torn or corrupt stretch of the log is cut off at the
    /// last good record of its file and kept aside, the later files are still replayed, and each
    /// is listed in <see cref="WalDamage"/> and counted in <see cref="GetStats"/>; it never stops
    /// the store from opening.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static TsdbStore Open(string directory, TsdbOptions? options = null)
    {
        options ??= new TsdbOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid TSDB options: " + string.Join(" ", errors), nameof(options));
        }
        var blocksDir = Path.Combine(directory, "blocks");
        System.IO.Directory.CreateDirectory(blocksDir);
        foreach (var tmp in System.IO.Directory.EnumerateDirectories(blocksDir, "*.tmp"))
        {
            System.IO.Directory.Delete(tmp, recursive: true);
        }
        var damage = new BlockDamageLog();
        var blocks = new List<Block>();
        foreach (var path in System.IO.Directory.EnumerateDirectories(blocksDir).Where(p => !p.EndsWith(DamageLedger.SetAsideSuffix, StringComparison.Ordinal)))
        {
            try
            {
                blocks.Add(Block.Open(path));
                blocks[^1].DamageLog = damage;
            }
            catch (Exception e) when (DamageLedger.IsUnreadable(e))
            {
                // A block that does not open costs that block, not the store: it is moved aside and reported.
                damage.Add(DamageLedger.SetAsideBlock(directory, path, $"block {Path.GetFileName(path)} does not open: {e.Message}"));
            }
        }
        blocks.Sort((a, b) => a.MinTime.CompareTo(b.MinTime));
        var head = new Head((long)options.BlockDuration.TotalMilliseconds);
        var replay = WalFiles.ReadAndRepair(Path.Combine(directory, "wal"));
        var unknown = Replay(head, replay.Records);
        return new TsdbStore(directory, options, head, blocks, replay, unknown, damage);
    }

    /// <inheritdoc />
    public ISampleAppender Appender() => new TsdbAppender(this);

    /// <inheritdoc />
    public IReadOnlyList<Series> Select(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers)
    {
        var (readBlocks, headData) = SelectHead(minTimeMs, maxTimeMs, matchers);
        if (readBlocks.Count == 0)
        {
            // Only the head: its series are distinct, so there is nothing to merge by labels.
            var fromHead = new Series[headData.Count];
            for (var i = 0; i < headData.Count; i++)
            {
                fromHead[i] = new Series(headData[i].Labels, DecodeHead(headData[i].Chunks, headData[i].OutOfOrder, minTimeMs, maxTimeMs));
            }
            return Array.FindAll(fromHead, s => s.Samples.Count > 0);
        }
        return MergeWithBlocks(readBlocks, headData, minTimeMs, maxTimeMs, matchers);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Series only in the head keep their chunks (sealed chunks are immutable, the open one is
    /// copied) and decode them when read; with blocks in the range, everything is decoded and merged here.
    /// </remarks>
    public IReadOnlyList<LazySeries> SelectLazy(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers)
    {
        var (readBlocks, headData) = SelectHead(minTimeMs, maxTimeMs, matchers);
        if (readBlocks.Count == 0)
        {
            var fromHead = new LazySeries[headData.Count];
            for (var i = 0; i < headData.Count; i++)
            {
                fromHead[i] = new HeadSeries(headData[i].Labels, headData[i].Chunks, headData[i].OutOfOrder, minTimeMs, maxTimeMs);
            }
            return fromHead;
        }
        return [.. MergeWithBlocks(readBlocks, headData, minTimeMs, maxTimeMs, matchers).Select(LazySeries.Of)];
    }

    private sealed class HeadSeries(Labels labels, List<byte[]> chunks, Sample[] outOfOrder, long minTimeMs, long maxTimeMs) : LazySeries(labels)
    {
        public override IReadOnlyList<Sample> Read(List<Sample> scratch)
        {
            if (outOfOrder.Length > 0)
            {
                return DecodeHead(chunks, outOfOrder, minTimeMs, maxTimeMs);
            }
            scratch.Clear();
            DecodeChunks(chunks, minTimeMs, maxTimeMs, scratch);
            return scratch;
        }
    }

    /// <summary>The blocks overlapping the range (acquired), and, read under the same lock, the head's matching series with their chunks in it.</summary>
    private (List<Block> Blocks, List<(Labels Labels, List<byte[]> Chunks, Sample[] OutOfOrder)> Head) SelectHead(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers)
    {
        List<(Labels Labels, List<byte[]> Chunks, Sample[] OutOfOrder)> headData = [];
        var readBlocks = AcquireBlocks(minTimeMs, maxTimeMs, () =>
        {
            var selected = head.Select(matchers);
            headData.Capacity = selected.Length;
            foreach (var s in selected)
            {
                var chunks = s.ChunksOverlapping(minTimeMs, maxTimeMs);
                var outOfOrder = s.OutOfOrderIn(minTimeMs, maxTimeMs);
                if (chunks is not null || outOfOrder.Length > 0)
                {
                    headData.Add((s.Labels, chunks ?? [], outOfOrder));
                }
            }
        });
        return (readBlocks, headData);
    }

    /// <summary>Decodes the blocks' and the head's samples and merges them by series (releases the blocks).</summary>
    private static Series[] MergeWithBlocks(List<Block> readBlocks, List<(Labels Labels, List<byte[]> Chunks, Sample[] OutOfOrder)> headData,
        long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers)
    {
        var runs = new Dictionary<Labels, List<IReadOnlyList<Sample>>>();
        void Add(Labels labels, IReadOnlyList<Sample> samples)
        {
            if (samples.Count == 0)
            {
                return;
            }
            if (!runs.TryGetValue(labels, out var list))
            {
                runs[labels] = list = [];
            }
            list.Add(samples);
        }
        try
        {
            foreach (var b in readBlocks)
            {
                foreach (var (labels, samples) in b.Select(minTimeMs, maxTimeMs, matchers))
                {
                    Add(labels, samples);
                }
            }
        }
        finally
        {
            readBlocks.ForEach(b => b.Release());
        }
        foreach (var (labels, chunks, outOfOrder) in headData)
        {
            Add(labels, DecodeHead(chunks, outOfOrder, minTimeMs, maxTimeMs));
        }
        return [.. runs.Select(r => new Series(r.Key, SampleMerge.Merge(r.Value)))];
    }

    private static IReadOnlyList<Sample> DecodeHead(List<byte[]> chunks, Sample[] outOfOrder, long minTimeMs, long maxTimeMs)
    {
        // Sized once for every sample of the chunks (those at the range's edges are not all in it):
        // grown from empty, a 260-sample run would allocate and copy twice its size on the way.
        var capacity = 0;
        foreach (var c in chunks)
        {
            capacity += XorChunkReader.SampleCount(c);
        }
        var samples = new List<Sample>(capacity);
        DecodeChunks(chunks, minTimeMs, maxTimeMs, samples);
        return outOfOrder.Length == 0 ? samples : SampleMerge.Merge([samples, outOfOrder]);
    }

    /// <summary>Appends the in-order samples of a head series' chunks within the range to <paramref name="into"/>.</summary>
    private static void DecodeChunks(List<byte[]> chunks, long minTimeMs, long maxTimeMs, List<Sample> into)
    {
        foreach (var c in chunks)
        {
            XorChunkReader.Decode(c, minTimeMs, maxTimeMs, into);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> LabelNames(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers) =>
        [.. SelectLabels(minTimeMs, maxTimeMs, matchers).SelectMany(l => l.Select(x => x.Name)).Distinct().Order(StringComparer.Ordinal)];

    /// <inheritdoc />
    public IReadOnlyList<string> LabelValues(string name, long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers) =>
        [.. SelectLabels(minTimeMs, maxTimeMs, matchers).Select(l => l.Get(name)).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The error of the last failed background maintenance run, or null; for the server's logs and health check.</summary>
    public Exception? LastMaintenanceError => Volatile.Read(ref lastMaintenanceError);

    /// <summary>A snapshot of the store's state and counters.</summary>
    public TsdbStats GetStats()
    {
        lock (gate)
        {
            var min = head.MinTime();
            return new TsdbStats
            {
                HeadSeries = head.SeriesCount,
                HeadChunks = head.ChunkCount,
                HeadMinTimeMs = min == long.MaxValue ? null : min,
                HeadMaxTimeMs = min == long.MaxValue ? null : head.MaxTime,
                SamplesAppendedTotal = samplesAppended,
                OutOfOrderAcceptedTotal = outOfOrderAccepted,
                OutOfOrderRejectedTotal = outOfOrderRejected,
                DuplicatesRejectedTotal = duplicatesRejected,
                WalFsyncsTotal = wal.Fsyncs,
                WalBytes = wal.SizeBytes,
                WalCorruptionsRepairedTotal = WalDamage.Count,
                WalBytesDroppedTotal = WalDamage.Sum(d => d.Bytes),
                WalUnknownSeriesSamplesTotal = unknownSeriesSamples,
                BlockCorruptionsTotal = blockDamage.Snapshot().Count,
                Blocks = blocks.Count,
                BlocksBytes = blocks.Sum(b => b.SizeBytes),
                CompactionsTotal = compactions,
                RetentionDeletedBlocksTotal = retentionDeleted,
                MaintenanceFailuresTotal = Interlocked.Read(ref maintenanceFailures),
                WriteFailuresTotal = Interlocked.Read(ref writeFailures),
            };
        }
    }

    /// <summary>Stops the maintenance timer, syncs and closes the WAL, and closes the blocks.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }
        await stopping.CancelAsync().ConfigureAwait(false);
        await maintenanceLoop.ConfigureAwait(false);
        await maintenance.WaitAsync().ConfigureAwait(false);
        lock (gate)
        {
            disposed = true;
            try
            {
                WriteUnloggedLocked();
            }
            catch (IOException)
            {
                // Still no room: those samples were never acknowledged, and their senders retry.
            }
            wal.Dispose();
            blocks.ForEach(b => b.Dispose());
            blocks.Clear();
            head.Release();
        }
        maintenance.Release();
        stopping.Dispose();
    }

    private List<Block> AcquireBlocks(long minTimeMs, long maxTimeMs, Action underLock)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            underLock();
            return [.. blocks.Where(b => b.MinTime <= maxTimeMs && b.MaxTime > minTimeMs && b.TryAcquire())];
        }
    }

    private HashSet<Labels> SelectLabels(long minTimeMs, long maxTimeMs, IReadOnlyList<LabelMatcher> matchers)
    {
        var result = new HashSet<Labels>();
        var readBlocks = AcquireBlocks(minTimeMs, maxTimeMs, () =>
        {
            foreach (var s in head.Select(matchers))
            {
                if (s.HasDataIn(minTimeMs, maxTimeMs))
                {
                    result.Add(s.Labels);
                }
            }
        });
        try
        {
            foreach (var b in readBlocks)
            {
                result.UnionWith(b.SelectLabels(minTimeMs, maxTimeMs, matchers));
            }
        }
        finally
        {
            readBlocks.ForEach(b => b.Release());
        }
        return result;
    }
}
