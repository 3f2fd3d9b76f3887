namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>A snapshot of a <see cref="TsdbStore"/>'s state and counters, for the server's own <c>/metrics</c>.</summary>
public sealed record TsdbStats
{
    /// <summary>Series held in memory (Prometheus <c>prometheus_tsdb_head_series</c>).</summary>
    public long HeadSeries { get; init; }

    /// <summary>Chunks held in memory, open and sealed (<c>prometheus_tsdb_head_chunks</c>).</summary>
    public long HeadChunks { get; init; }

    /// <summary>Oldest timestamp in the head in milliseconds, or null when the head is empty.</summary>
    public long? HeadMinTimeMs { get; init; }

    /// <summary>Newest timestamp in the head in milliseconds, or null when the head is empty.</summary>
    public long? HeadMaxTimeMs { get; init; }

    /// <summary>Samples accepted since the store opened (<c>prometheus_tsdb_head_samples_appended_total</c>).</summary>
    public long SamplesAppendedTotal { get; init; }

    /// <summary>Out-of-order samples accepted inside the window since the store opened.</summary>
    public long OutOfOrderAcceptedTotal { get; init; }

    /// <summary>Samples rejected as too old for the out-of-order window (<c>prometheus_tsdb_out_of_order_samples_total</c>).</summary>
    public long OutOfOrderRejectedTotal { get; init; }

    /// <summary>Samples rejected because a different value exists at the same timestamp.</summary>
    public long DuplicatesRejectedTotal { get; init; }

    /// <summary>Write-ahead log fsyncs since the store opened; far below commits when group commit works.</summary>
    public long WalFsyncsTotal { get; init; }

    /// <summary>Bytes in write-ahead log segments on disk (checkpoints excluded).</summary>
    public long WalBytes { get; init; }

    /// <summary>Torn or corrupt stretches of the WAL cut off (and kept aside) while opening.</summary>
    public long WalCorruptionsRepairedTotal { get; init; }

    /// <summary>Bytes cut by those repairs.</summary>
    public long WalBytesDroppedTotal { get; init; }

    /// <summary>Samples replayed from the WAL whose series record was in a cut stretch, so they could not be placed.</summary>
    public long WalUnknownSeriesSamplesTotal { get; init; }

    /// <summary>Blocks that did not open and chunks that failed their checksum since the store opened (each kept in <c>damaged/</c>).</summary>
    public long BlockCorruptionsTotal { get; init; }

    /// <summary>Blocks on disk (<c>prometheus_tsdb_blocks_loaded</c>).</summary>
    public long Blocks { get; init; }

    /// <summary>Bytes of blocks on disk.</summary>
    public long BlocksBytes { get; init; }

    /// <summary>Blocks written from the head since the store opened (<c>prometheus_tsdb_compactions_total</c>).</summary>
    public long CompactionsTotal { get; init; }

    /// <summary>Blocks deleted by retention since the store opened.</summary>
    public long RetentionDeletedBlocksTotal { get; init; }

    /// <summary>Background maintenance runs (compaction, retention) that failed; the next run retries.</summary>
    public long MaintenanceFailuresTotal { get; init; }

    /// <summary>Batches refused because the WAL could not be written (a full disk); their senders retry.</summary>
    public long WriteFailuresTotal { get; init; }
}
