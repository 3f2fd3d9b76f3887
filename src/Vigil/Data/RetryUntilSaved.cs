namespace Vigil.Data;

/// <summary>
/// A write that matters (a monitor's state change, an alert handed to the dispatcher) is tried
/// again until it lands, through a database outage of any length: backoff 1 s, doubling, at most
/// 30 s, on the server's clock. A failure that is not the database being away (<see cref="DbErrors.IsTransient"/>)
/// is tried <see cref="PermanentAttempts"/> times, then given up with an error, so one bad row
/// cannot stop the writes behind it.
/// </summary>
public static class RetryUntilSaved
{
    public const int PermanentAttempts = 5;
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    /// <returns>True once <paramref name="write"/> succeeded; false when it was given up or the server stops.</returns>
    public static async Task<bool> RunAsync(Func<CancellationToken, Task> write, TimeProvider clock, ILogger logger, string what, CancellationToken stopping)
    {
        var delay = First;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write(stopping);
                if (attempt > 1)
                {
                    logger.LogInformation("Saved {What} after {Attempts} attempts", what, attempt);
                }
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                var transient = DbErrors.IsTransient(e);
                if (!transient && attempt >= PermanentAttempts)
                {
                    logger.LogError(e, "Saving {What} failed {Attempts} times; given up", what, attempt);
                    return false;
                }
                if (attempt == 1)
                {
                    logger.LogWarning("Saving {What} failed ({Error}); trying again until it is saved", what, e.Message);
                }
            }
            try
            {
                await Task.Delay(delay, clock, stopping);
            }
            catch (OperationCanceledException)
            {
                logger.LogError("Server stopping: {What} was not saved", what);
                return false;
            }
            delay = TimeSpan.FromTicks(Math.Min(Longest.Ticks, delay.Ticks * 2));
        }
    }
}
