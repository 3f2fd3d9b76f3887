namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>Settings of a <see cref="TsdbStore"/>; the defaults follow Prometheus.</summary>
public sealed record TsdbOptions
{
    /// <summary>Blocks whose samples are all older than this are deleted (Prometheus <c>--storage.tsdb.retention.time</c>, default 15 days).</summary>
    public TimeSpan RetentionTime { get; init; } = TimeSpan.FromDays(15);

    /// <summary>
    /// When set, the oldest blocks are deleted until blocks plus WAL fit in this many bytes
    /// (Prometheus <c>--storage.tsdb.retention.size</c>). Null means no size limit.
    /// </summary>
    public long? RetentionSizeBytes { get; init; }

    /// <summary>
    /// How far behind a series' newest sample an older sample is still accepted (Prometheus
    /// <c>out_of_order_time_window</c>). Zero, the default, rejects every out-of-order sample.
    /// </summary>
    public TimeSpan OutOfOrderTimeWindow { get; init; } = TimeSpan.Zero;

    /// <summary>The time range of one block; the head keeps about 1.5 of these in memory (default 2 hours).</summary>
    public TimeSpan BlockDuration { get; init; } = TimeSpan.FromHours(2);

    /// <summary>A WAL segment file is closed and a new one started past this size (default 128 MiB).</summary>
    public long WalSegmentSizeBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>
    /// How often compaction and retention run in the background, on <see cref="TimeProvider"/>'s
    /// clock (default 1 minute). Null disables the timer; call <see cref="TsdbStore.RunMaintenanceAsync"/> instead.
    /// </summary>
    public TimeSpan? MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The clock for retention and the maintenance timer.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Every problem with these settings, each as a message a person can act on; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RetentionTime <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(RetentionTime)} must be positive, got {RetentionTime}.");
        }
        if (RetentionSizeBytes is <= 0)
        {
            errors.Add($"{nameof(RetentionSizeBytes)} must be positive when set, got {RetentionSizeBytes}.");
        }
        if (OutOfOrderTimeWindow < TimeSpan.Zero)
        {
            errors.Add($"{nameof(OutOfOrderTimeWindow)} must not be negative, got {OutOfOrderTimeWindow}.");
        }
        if (BlockDuration < TimeSpan.FromMilliseconds(2))
        {
            errors.Add($"{nameof(BlockDuration)} must be at least 2 ms, got {BlockDuration}.");
        }
        if (WalSegmentSizeBytes < 4096)
        {
            errors.Add($"{nameof(WalSegmentSizeBytes)} must be at least 4096 bytes, got {WalSegmentSizeBytes}.");
        }
        if (MaintenanceInterval is { } i && i <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(MaintenanceInterval)} must be positive when set, got {i}.");
        }
        return errors;
    }
}
