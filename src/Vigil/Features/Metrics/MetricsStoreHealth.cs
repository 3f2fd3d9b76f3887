using Vigil.Data;
using Vigil.Features.Server;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Features.Metrics;

/// <summary>The metrics store on <c>/api/health</c>: ok, or degraded when its last maintenance (compaction, retention) failed.</summary>
public sealed class MetricsStoreHealth(ISampleStore store) : IHealthContributor
{
    public bool IsDependency => false;

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
    {
        if (store is not TsdbStore tsdb)
        {
            return Task.FromResult(new ComponentHealth("metrics_store", "ok", HealthLevel.Healthy));
        }
        var stats = tsdb.GetStats();
        var detail = $"{stats.HeadSeries} series in memory, {stats.Blocks} blocks";
        if (tsdb.LastWriteError is { } refused)
        {
            // Unhealthy, not degraded: samples sent now are refused until the disk has room again.
            return Task.FromResult(new ComponentHealth("metrics_store", "refusing writes", HealthLevel.Unhealthy,
                Detail: $"the write-ahead log cannot be written ({StorageErrors.Describe(refused)}); samples are refused with 507 and their senders retry; it resumes by itself once there is room; {detail}"));
        }
        if (tsdb.UnacknowledgedWalDamage() is { Count: > 0 } damage)
        {
            return Task.FromResult(new ComponentHealth("metrics_store", "degraded", HealthLevel.Degraded,
                Detail: $"write-ahead log damaged: {string.Join(", ", damage)} cut and kept in wal/damaged; acknowledge on the System page or POST /api/system/metrics/wal-damage/acknowledge; {detail}"));
        }
        if (tsdb.UnacknowledgedBlockDamage() is { Count: > 0 } blocks)
        {
            return Task.FromResult(new ComponentHealth("metrics_store", "degraded", HealthLevel.Degraded,
                Detail: $"blocks damaged: {string.Join(", ", blocks)} kept in damaged/, their samples left out of answers; acknowledge on the System page or POST /api/system/metrics/wal-damage/acknowledge; {detail}"));
        }
        return Task.FromResult(tsdb.LastMaintenanceError is { } error
            ? new ComponentHealth("metrics_store", "degraded", HealthLevel.Degraded, Detail: $"maintenance failed: {error.Message}; {detail}")
            : new ComponentHealth("metrics_store", "ok", HealthLevel.Healthy, Detail: detail));
    }
}
