using Vigil.Hosting;

namespace Vigil.Features.Server;

/// <summary>
/// The disk under the data directory (SQLite, the metrics store, backups) on <c>/api/health</c>:
/// degraded below 5 % free, unhealthy below 16 MiB, where SQLite and the WAL start refusing writes
/// (answered 507, retried, nothing corrupted; see docs/server.md). An operator sees it coming
/// before writes fail, and sees it end when space returns.
/// </summary>
public sealed class DiskSpaceHealth(ServeOptions options) : IHealthContributor
{
    public const long UnhealthyBelowBytes = 16L << 20;
    public const double DegradedBelowFraction = 0.05;

    public bool IsDependency => false;

    public Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
    {
        DriveInfo drive;
        try
        {
            drive = new DriveInfo(Path.GetFullPath(options.DataDirectory));
            _ = drive.TotalSize; // reads statvfs; throws when the path is gone
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(new ComponentHealth("data_disk", "unknown", HealthLevel.Degraded, Detail: $"free space of {options.DataDirectory} cannot be read"));
        }
        var free = drive.AvailableFreeSpace;
        var total = drive.TotalSize;
        var detail = $"{Mib(free)} MiB free of {Mib(total)} MiB under {options.DataDirectory}";
        var health = free < UnhealthyBelowBytes
            ? new ComponentHealth("data_disk", "full", HealthLevel.Unhealthy, Detail: $"{detail}: writes are refused with 507 until space is freed")
            : total > 0 && free < total * DegradedBelowFraction
                ? new ComponentHealth("data_disk", "low", HealthLevel.Degraded, Detail: $"{detail}: less than {DegradedBelowFraction:P0} left")
                : new ComponentHealth("data_disk", "ok", HealthLevel.Healthy, Detail: detail);
        return Task.FromResult(health);
    }

    private static long Mib(long bytes) => bytes >> 20;
}
