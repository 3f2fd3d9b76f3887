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
public sealed class WriteTurn(bool serialize)
{
    private readonly SemaphoreSlim turn = new(1, 1);

    /// <summary>Waits for this process's turn to write; disposing the result ends it.</summary>
    public async ValueTask<Held> EnterAsync(CancellationToken cancellationToken)
    {
        if (!serialize)
        {
            return default;
        }
        await turn.WaitAsync(cancellationToken);
        return new Held(turn);
    }

    public readonly struct Held(SemaphoreSlim? turn) : IDisposable
    {
        public void Dispose() => turn?.Release();
    }
}
