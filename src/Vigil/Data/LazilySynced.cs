using Microsoft.EntityFrameworkCore;

namespace Vigil.Data;

/// <summary>
/// Saves that may wait for the next durable commit to reach the disk: on SQLite their commit is made
/// with <c>synchronous = NORMAL</c> (WAL mode: no fsync of its own), so it survives the process
/// being killed at once, and a power loss only once a later commit (every other write is
/// <c>FULL</c>, and an fsync of the log covers every commit before it) or a checkpoint synced it.
/// For what the system would do again with the same effect when it is lost: a delivery's record
/// (the message goes out again under its idempotency key). On PostgreSQL a plain save.
/// </summary>
public static class LazilySynced
{
    /// <summary>Runs <paramref name="rows"/> in one transaction, committed unsynced (SQLite), by the holder of <paramref name="turn"/> (on its kept connection).</summary>
    public static async Task ExecuteAsync(VigilDbContext db, WriteTurn.Held turn, DirectRows rows)
    {
        if (rows.IsEmpty)
        {
            return;
        }
        await using var unsynced = await DeferredSync.BeginAsync(db, turn, CancellationToken.None);
        await rows.CommitAsync(CancellationToken.None);
    }
}
