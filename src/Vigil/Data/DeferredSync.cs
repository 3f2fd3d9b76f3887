using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Win32.SafeHandles;

namespace Vigil.Data;

/// <summary>
/// Commits on a context whose durability is taken care of apart from the commit itself. On SQLite
/// the context's connection commits with <c>synchronous = NORMAL</c> while this is open: in WAL mode
/// the commit is written to the log and is visible to every reader (and survives the process being
/// killed), but the log is not synced (https://sqlite.org/pragma.html#pragma_synchronous). The caller
/// then either acts on the commit first and makes it durable with <see cref="SyncAsync"/>, or leaves
/// it to the next durable commit or checkpoint (<see cref="LazilySynced"/>). On PostgreSQL every
/// commit is durable when it returns and this does nothing.
/// </summary>
/// <remarks>
/// <see cref="SyncAsync"/> syncs the log file itself (fsync covers the file's every written page,
/// whichever descriptor wrote it), which is what <c>synchronous = FULL</c> does at the end of a
/// commit: the log is appended in order, so the sync also covers every commit before. Only the
/// <c>-wal</c> file is opened here: SQLite takes its WAL locks on the <c>-shm</c> file and the
/// database file (https://sqlite.org/walformat.html), and a POSIX lock is dropped when any
/// descriptor of its file closes (https://sqlite.org/howtocorrupt.html#_posix_advisory_locks_canceled_by_a_separate_thread_doing_close_),
/// so those two are never opened here. A log SQLite creates anew is first synced, with its directory,
/// by a <c>FULL</c> commit, as every connection's commits are unless they come through here.
/// </remarks>
public sealed class DeferredSync : IAsyncDisposable
{
    private readonly VigilDbContext db;
    private readonly bool sqlite;
    private readonly string? log;

    private DeferredSync(VigilDbContext db, bool sqlite, string? log) => (this.db, this.sqlite, this.log) = (db, sqlite, log);

    /// <summary>Opens the context's connection for the commits to come (SQLite: unsynced until <see cref="SyncAsync"/>).</summary>
    public static async Task<DeferredSync> BeginAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        // The connection's type rather than IsSqlite(), which looks up the provider (1 % of the alert path's CPU).
        if (db.Database.GetDbConnection() is not SqliteConnection connection)
        {
            return new DeferredSync(db, false, null);
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            Synchronous(connection, "NORMAL");
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
        var file = connection.DataSource;
        return new DeferredSync(db, true, string.IsNullOrEmpty(file) ? null : file + "-wal");
    }

    /// <summary>
    /// Makes every commit made so far durable (SQLite: syncs the write-ahead log to the disk). Needs only the
    /// log's path, so it may come after this was disposed and the connection went back to the pool.
    /// </summary>
    public Task SyncAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (log is null)
        {
            // PostgreSQL (durable at commit) or an in-memory database.
            return Task.CompletedTask;
        }
        try
        {
            using SafeFileHandle handle = File.OpenHandle(log, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.FlushToDisk(handle);
        }
        catch (FileNotFoundException)
        {
            // The last connection closed: the log was checkpointed, and synced, before it was removed.
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Sets the connection's sync level straight through SQLite (<see cref="SqlitePragmas"/>) rather
    /// than through EF, whose command pipeline cost more than the pragma (twice on each commit of the
    /// alert path; a CPU profile of bench/alerting put the two at 8 % of the process's time).
    /// Memory only: no I/O to wait for.
    /// </summary>
    private static void Synchronous(SqliteConnection connection, string level) =>
        SqlitePragmas.Run(connection, level == "FULL" ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");

    public async ValueTask DisposeAsync()
    {
        if (!sqlite)
        {
            return;
        }
        try
        {
            // Back before the connection returns to the pool (SqliteBusyTimeout also sets it on every open).
            Synchronous((SqliteConnection)db.Database.GetDbConnection(), "FULL");
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
