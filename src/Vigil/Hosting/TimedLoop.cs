namespace Vigil.Hosting;

/// <summary>
/// The shape of Vigil's background loops: run a pass, which says how long until the next one is
/// due, then sleep that long on the injected clock or until woken. A pass that throws is logged
/// and the loop sleeps its <c>longestSleep</c>; only stopping ends it.
/// </summary>
public static class TimedLoop
{
    public static async Task RunAsync(
        Func<CancellationToken, Task<TimeSpan>> pass, Func<CancellationToken, Task> woken, TimeSpan longestSleep,
        TimeProvider clock, ILogger logger, string failure, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = longestSleep;
            try
            {
                sleep = await pass(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Failure}", failure);
            }
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(Task.Delay(sleep, clock, wait.Token), woken(wait.Token));
                await wait.CancelAsync();
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
