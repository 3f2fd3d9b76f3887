using Microsoft.Data.Sqlite;

namespace Vigil.Data;

/// <summary>
/// Turns for the write transactions of the alert path on SQLite, which takes one writer at a time.
/// A writer that finds the write lock held otherwise waits in SQLite's busy handler, which sleeps
/// 1, 2, 5, 10... ms between looks (sqlite3_busy_timeout): the dispatcher's commit for an alert
/// that arrived while the sender recorded the previous delivery slept a whole millisecond for a
/// lock held a fraction of that. Taking turns here, the next writer goes on as soon as the lock is
/// free. Only the process's own writers that take a turn wait here; any other still meets SQLite's
/// lock. On PostgreSQL (row locks, several writers) a turn is granted at once.
/// </summary>
/// <remarks>
/// On SQLite the turn also keeps one connection open for the writers that take it with a
/// <see cref="DeferredSync"/> (<see cref="DeferredSync.BeginAsync(VigilDbContext, Held, CancellationToken)"/>):
/// the connection is not opened and closed around every write (EF registers its SQL functions on
/// each open and Microsoft.Data.Sqlite removes them on each close, with the pragmas set on open:
/// 7 % of the alert path's allocations), and the statements <see cref="DirectRows"/> runs on it are
/// prepared once for the process rather than once per write, and finalized when it closes. Only the holder of the turn uses it.
/// </remarks>
public sealed class WriteTurn(bool serialize) : IDisposable
{
    private readonly SemaphoreSlim turn = new(1, 1);

    /// <summary>The connection kept open for the turn's holders (SQLite); null until the first needs it, or after one was given up.</summary>
    private SqliteConnection? kept;

    /// <summary>Waits for this process's turn to write; disposing the result ends it.</summary>
    public async ValueTask<Held> EnterAsync(CancellationToken cancellationToken)
    {
        if (!serialize)
        {
            return default;
        }
        await turn.WaitAsync(cancellationToken);
        return new Held(this);
    }

    public readonly struct Held(WriteTurn? owner) : IDisposable
    {
        /// <summary>The turn, when one was taken (SQLite); its kept connection is the holder's to use until this is disposed.</summary>
        internal WriteTurn? Owner => owner;

        public void Dispose() => owner?.turn.Release();
    }

    /// <summary>The kept connection, if one is open (the holder of the turn only).</summary>
    internal SqliteConnection? Kept => kept is { State: System.Data.ConnectionState.Open } open ? open : null;

    /// <summary>Keeps <paramref name="connection"/> (open) for the turn's holders; one kept before is closed.</summary>
    internal void Keep(SqliteConnection connection)
    {
        if (!ReferenceEquals(kept, connection))
        {
            Close(kept);
            kept = connection;
            DirectRows.KeepCommandsOn(connection);
        }
    }

    /// <summary>
    /// A holder is done with the kept connection. It stays kept unless it was left closed or inside
    /// a transaction (a failure past EF's rollback): then it is closed and the next holder opens
    /// another. What it left uncommitted is rolled back first: Microsoft.Data.Sqlite hands a closed
    /// connection's database handle to its pool as it is.
    /// </summary>
    internal void GiveBack(SqliteConnection connection)
    {
        var open = connection.State == System.Data.ConnectionState.Open;
        if (open && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            return;
        }
        if (ReferenceEquals(kept, connection))
        {
            kept = null;
        }
        try
        {
            if (open)
            {
                SqlitePragmas.Run(connection, "ROLLBACK;");
            }
        }
        catch (SqliteException)
        {
            // Not even that: no handle of this database goes back to the pool.
            SqliteConnection.ClearPool(connection);
        }
        Close(connection);
    }

    /// <summary>Closes a connection that was kept, with the statements prepared on it.</summary>
    private static void Close(SqliteConnection? connection)
    {
        if (connection is not null)
        {
            DirectRows.ForgetCommandsOn(connection);
            connection.Dispose();
        }
    }

    public void Dispose()
    {
        // At the host's end, after the writers stopped (a straggler still writing keeps its turn,
        // and the connection is left to the process's exit).
        if (!turn.Wait(TimeSpan.FromSeconds(5)))
        {
            return;
        }
        Close(kept);
        kept = null;
        turn.Release();
    }
}
