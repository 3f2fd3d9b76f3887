using Prometheus;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Features.Metrics;

/// <summary>The metrics engine's own figures on Vigil's <c>/metrics</c>, read from the store each time they are scraped.</summary>
public sealed class ExportStoreStats(ISampleStore store) : IHostedService
{
    // The registry is process-wide and keeps callbacks: a stopped server's must not read its closed store.
    private volatile bool running;

    private static readonly Gauge HeadSeries = Prometheus.Metrics.CreateGauge("vigil_tsdb_head_series", "Series held in memory.");
    private static readonly Gauge HeadChunks = Prometheus.Metrics.CreateGauge("vigil_tsdb_head_chunks", "Chunks held in memory.");
    private static readonly Gauge Blocks = Prometheus.Metrics.CreateGauge("vigil_tsdb_blocks", "Blocks on disk.");
    private static readonly Gauge BlocksBytes = Prometheus.Metrics.CreateGauge("vigil_tsdb_blocks_bytes", "Bytes of blocks on disk.");
    private static readonly Gauge WalBytes = Prometheus.Metrics.CreateGauge("vigil_tsdb_wal_bytes", "Bytes of the write-ahead log.");
    private static readonly Counter Appended = Prometheus.Metrics.CreateCounter("vigil_tsdb_samples_appended_total", "Samples appended.");
    private static readonly Counter OutOfOrderRejected = Prometheus.Metrics.CreateCounter("vigil_tsdb_out_of_order_samples_rejected_total", "Samples refused as older than the out-of-order window allows.");
    private static readonly Counter Fsyncs = Prometheus.Metrics.CreateCounter("vigil_tsdb_wal_fsyncs_total", "fsync calls on the write-ahead log.");
    private static readonly Counter WalCorruptions = Prometheus.Metrics.CreateCounter("vigil_tsdb_wal_corruptions_total", "Torn or corrupt stretches of the WAL cut off (and kept in wal/damaged) at start.");
    private static readonly Counter WalBytesCut = Prometheus.Metrics.CreateCounter("vigil_tsdb_wal_cut_bytes_total", "Bytes of the WAL cut off at start.");
    private static readonly Counter WalUnknownSeries = Prometheus.Metrics.CreateCounter("vigil_tsdb_wal_unknown_series_samples_total", "Replayed samples dropped because their series record was in a cut stretch.");
    private static readonly Counter BlockCorruptions = Prometheus.Metrics.CreateCounter("vigil_tsdb_block_corruptions_total", "Blocks that did not open (moved to damaged/) and chunks that failed their checksum (kept in damaged/, samples left out).");
    private static readonly Gauge BlockDamageUnacknowledged = Prometheus.Metrics.CreateGauge("vigil_tsdb_block_damage_unacknowledged", "Damaged blocks and chunks kept in damaged/ that nobody has acknowledged yet.");
    private static readonly Gauge WalDamageUnacknowledged = Prometheus.Metrics.CreateGauge("vigil_tsdb_wal_damage_unacknowledged", "Stretches of disk damage cut from the WAL that nobody has acknowledged yet.");
    private static readonly Counter Compactions = Prometheus.Metrics.CreateCounter("vigil_tsdb_compactions_total", "Blocks written or merged.");
    private static readonly Counter WriteFailures = Prometheus.Metrics.CreateCounter("vigil_tsdb_write_failures_total", "Batches refused because the write-ahead log could not be written (a full disk); their senders retry.");
    private static readonly Counter MaintenanceFailures = Prometheus.Metrics.CreateCounter("vigil_tsdb_maintenance_failures_total", "Compaction, checkpoint or retention runs that failed; the next run retries.");
    private static readonly Counter RetentionDeleted = Prometheus.Metrics.CreateCounter("vigil_tsdb_retention_deleted_blocks_total", "Blocks deleted by retention.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is TsdbStore tsdb)
        {
            running = true;
            Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
            {
                if (!running)
                {
                    return;
                }
                var s = tsdb.GetStats();
                HeadSeries.Set(s.HeadSeries);
                HeadChunks.Set(s.HeadChunks);
                Blocks.Set(s.Blocks);
                BlocksBytes.Set(s.BlocksBytes);
                WalBytes.Set(s.WalBytes);
                Appended.IncTo(s.SamplesAppendedTotal);
                OutOfOrderRejected.IncTo(s.OutOfOrderRejectedTotal);
                Fsyncs.IncTo(s.WalFsyncsTotal);
                WalCorruptions.IncTo(s.WalCorruptionsRepairedTotal);
                WalBytesCut.IncTo(s.WalBytesDroppedTotal);
                WalUnknownSeries.IncTo(s.WalUnknownSeriesSamplesTotal);
                WalDamageUnacknowledged.Set(tsdb.UnacknowledgedWalDamage().Count);
                BlockCorruptions.IncTo(s.BlockCorruptionsTotal);
                BlockDamageUnacknowledged.Set(tsdb.UnacknowledgedBlockDamage().Count);
                Compactions.IncTo(s.CompactionsTotal);
                RetentionDeleted.IncTo(s.RetentionDeletedBlocksTotal);
                WriteFailures.IncTo(s.WriteFailuresTotal);
                MaintenanceFailures.IncTo(s.MaintenanceFailuresTotal);
            });
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        running = false;
        return Task.CompletedTask;
    }
}
