using Microsoft.Data.Sqlite;
using Vigil.Hosting;

namespace Vigil.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file in the background, once a second,
/// instead of in whichever commit happens to push the log past SQLite's threshold.
/// </summary>
/// <remarks>
/// By default SQLite checkpoints in the committing connection once the log holds 1,000 pages
/// (<c>wal_autocheckpoint</c>, https://sqlite.org/wal.html#automatic_checkpoint): that commit then
/// also copies ~4 MB into the database file and syncs it. On the alert path, whose commit writes
/// ~15-20 pages, that was one alert in ~50 waiting several milliseconds more, the tail of
/// <c>bench/alerting</c>. Connections now checkpoint themselves only past
/// <see cref="AutoCheckpointPages"/> (a bound should this loop stall), and this loop runs a
/// <c>PASSIVE</c> checkpoint, which takes no lock writers wait for
/// (https://sqlite.org/c3ref/wal_checkpoint_v2.html). Once it has copied the whole log, the next
/// writer starts the log from its beginning again, so the file stops growing. The checkpoint also
/// syncs the log, which makes <see cref="LazilySynced"/> saves durable within a second.
/// </remarks>
public sealed class WalCheckpoints(DatabaseSettings settings, TimeProvider clock, ILogger<WalCheckpoints> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>The log size at which a committing connection checkpoints by itself (~40 MB of 4 KB pages).</summary>
    public const int AutoCheckpointPages = 10_000;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        TimedLoop.RunAsync(PassAsync, null, Interval, clock, logger, "Checkpointing the SQLite write-ahead log failed", stoppingToken);

    public async Task<TimeSpan> PassAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(settings.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // One row: busy (0 or 1), frames in the log, frames now in the database file.
        if (await reader.ReadAsync(cancellationToken) && reader.GetInt64(1) > reader.GetInt64(2))
        {
            logger.LogDebug("Checkpointed {Copied} of {Frames} log frames; readers hold the rest", reader.GetInt64(2), reader.GetInt64(1));
        }
        return Interval;
    }
}
