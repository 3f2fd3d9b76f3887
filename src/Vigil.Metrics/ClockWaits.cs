namespace Vigil.Metrics;

/// <summary>Waiting on an injected clock.</summary>
public static class ClockWaits
{
    /// <summary>
    /// Waits until <paramref name="time"/> reads <paramref name="at"/> or later. A relative delay
    /// made from a reading of the clock overshoots when the clock moves between the reading and the
    /// timer's creation (a test's fake clock jumping a whole interval lands then one interval short,
    /// and the wait never ends): the clock is read again once the timer exists, and a move in
    /// between starts the wait again from the new reading.
    /// </summary>
    public static async Task DelayUntilAsync(this TimeProvider time, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (true)
        {
            var before = time.GetUtcNow();
            if (before >= at)
            {
                return;
            }
            using var moved = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(at - before, time, moved.Token);
            if (time.GetUtcNow() == before)
            {
                await delay.ConfigureAwait(false);
                return;
            }
            await moved.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
