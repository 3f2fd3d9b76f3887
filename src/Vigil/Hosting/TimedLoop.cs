namespace Vigil.Hosting;

/// <summary>
/// The shape of Vigil's background loops: run a pass, which says how long until the next one is
/// due, then sleep that long on the injected clock or until <c>woken</c> is set (a loop nothing
/// wakes passes none). A pass that throws is logged and the loop sleeps its <c>longestSleep</c>;
/// only stopping ends it. The sleep counts from the pass's start: the clock may move while the pass
/// works out its answer and before the sleep begins (a jump of a test's clock, or the pass's own
/// duration), and counted from after the pass, a wake-up due at that moment would wait for a
/// further move of the clock that may never come (an escalation due at 5 minutes, slept for 1
/// minute from 5 minutes). From the start, the loop wakes no later than the pass meant, at worst
/// for one more pass that finds nothing due.
/// </summary>
public static class TimedLoop
{
    public static async Task RunAsync(
        Func<CancellationToken, Task<TimeSpan>> pass, WakeSignal? woken, TimeSpan longestSleep,
        TimeProvider clock, ILogger logger, string failure, CancellationToken stoppingToken)
    {
        woken ??= new WakeSignal();
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = longestSleep;
            var started = clock.GetUtcNow();
            try
            {
                sleep = await pass(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Failure}", failure);
            }
            var passed = clock.GetUtcNow() - started;
            sleep = passed <= TimeSpan.Zero ? sleep : passed >= sleep ? TimeSpan.Zero : sleep - passed;
            await woken.SleepAsync(sleep, clock, stoppingToken);
        }
    }
}
