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

    /// <summary>When the context borrowed the write turn's kept connection: the turn, and the context's own connection string to go back to.</summary>
    private readonly (WriteTurn Turn, string ConnectionString)? borrowed;

    private DeferredSync(VigilDbContext db, bool sqlite, string? log, (WriteTurn, string)? borrowed = null) =>
        (this.db, this.sqlite, this.log, this.borrowed) = (db, sqlite, log, borrowed);

    /// <summary>
    /// As <see cref="BeginAsync(VigilDbContext, CancellationToken)"/>, for the holder of a write turn:
    /// on SQLite the context uses the turn's kept connection (<see cref="WriteTurn"/>), opened by the
    /// first holder through EF (its functions and the pragmas every connection gets) and left at
    /// <c>synchronous = NORMAL</c>, since only these writers use it. Disposing gives the context its
    /// own connection back, before the turn ends.
    /// </summary>
    public static async Task<DeferredSync> BeginAsync(VigilDbContext db, WriteTurn.Held turn, CancellationToken cancellationToken)
    {
        if (turn.Owner is { Kept: { } open } keeper && db.Database.CurrentTransaction is null
            && db.Database.GetConnectionString() is { } same && same == open.ConnectionString)
        {
            // Without asking the context for its own connection, which it would make anew after the
            // last borrow (Restore), registering EF's SQL functions on it, only to be replaced:
            // 10 % of the alert path's allocations. A context that holds its own open cannot lend
            // it out (EF refuses to change an open connection); the turn's holders do not.
            db.Database.SetDbConnection(open, contextOwnsConnection: false);
            return new DeferredSync(db, true, open.DataSource + "-wal", (keeper, same));
        }
        if (turn.Owner is not { } owner || db.Database.GetDbConnection() is not SqliteConnection { State: System.Data.ConnectionState.Closed } own
            || string.IsNullOrEmpty(own.DataSource) || db.Database.GetConnectionString() is not { } connectionString)
        {
            // PostgreSQL, an in-memory database, or a context that holds its connection open already.
            return await BeginAsync(db, cancellationToken);
        }
        // The first holder (or the first since one was given up) opens the connection to keep.
        var kept = new SqliteConnection(connectionString);
        db.Database.SetDbConnection(kept, contextOwnsConnection: false);
        try
        {
            // Through EF, so that the connection gets what EF and its interceptors give each one it opens.
            await db.Database.OpenConnectionAsync(cancellationToken);
            Synchronous(kept, full: false);
        }
        catch
        {
            Restore(db, connectionString);
            await kept.DisposeAsync();
            throw;
        }
        owner.Keep(kept);
        return new DeferredSync(db, true, kept.DataSource + "-wal", (owner, connectionString));
    }

    /// <summary>Gives the context its own connection again (made anew from its connection string when next used).</summary>
    private static void Restore(VigilDbContext db, string connectionString)
    {
        // Not the context's own: EF resets its count of opens and leaves it open.
        db.Database.SetDbConnection(null, contextOwnsConnection: true);
        db.Database.SetConnectionString(connectionString);
    }

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
            Synchronous(connection, full: false);
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
    /// Sets the connection's sync level (<c>FULL</c> or <c>NORMAL</c>) straight through SQLite
    /// (<see cref="SqlitePragmas"/>) rather than through EF, whose command pipeline cost more than
    /// the pragma (when it was set twice on each commit of the alert path, a CPU profile of
    /// bench/alerting put the two at 8 % of the process's time). Memory only: no I/O to wait for.
    /// </summary>
    private static void Synchronous(SqliteConnection connection, bool full) =>
        SqlitePragmas.Run(connection, full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");

    public async ValueTask DisposeAsync()
    {
        if (!sqlite)
        {
            return;
        }
        if (borrowed is var (turn, connectionString))
        {
            var kept = (SqliteConnection)db.Database.GetDbConnection();
            Restore(db, connectionString);
            turn.GiveBack(kept);
            return;
        }
        try
        {
            // Back before the connection returns to the pool (SqliteBusyTimeout also sets it on every open).
            Synchronous((SqliteConnection)db.Database.GetDbConnection(), full: true);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
