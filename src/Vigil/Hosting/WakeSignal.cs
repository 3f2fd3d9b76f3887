namespace Vigil.Hosting;

/// <summary>
/// A background loop's wake-up call. Any number of <see cref="Set"/> calls while the loop works or
/// sleeps wake it once: the loop looks at everything when it wakes, so one look serves them all.
/// Unlike a <see cref="SemaphoreSlim"/> wait given a token and cancelled once the sleep is over,
/// nothing here throws: each cancelled wait threw and caught an exception inside, after every alert
/// (1 % of the alert path's CPU in <c>bench/alerting</c>, under <c>perf</c>).
/// </summary>
public sealed class WakeSignal
{
    private TaskCompletionSource signal = New();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the loop: now if it sleeps, or as soon as it next looks.</summary>
    public void Set() => Volatile.Read(ref signal).TrySetResult();

    /// <summary>Completes once <see cref="Set"/> was called since the last <see cref="Take"/>.</summary>
    public Task Signaled => Volatile.Read(ref signal).Task;

    /// <summary>
    /// Whether <see cref="Set"/> was called since the last call, which it answers for. A call that
    /// comes in while this one takes the signal is answered with it: it came before the loop's next
    /// look, which sees what it announced.
    /// </summary>
    public bool Take()
    {
        var current = Volatile.Read(ref signal);
        if (!current.Task.IsCompleted)
        {
            return false;
        }
        Interlocked.CompareExchange(ref signal, New(), current);
        return true;
    }

    /// <summary>
    /// Sleeps <paramref name="delay"/> on <paramref name="clock"/> or until <see cref="Set"/>, and
    /// says (taking it) whether it was woken. Stopping ends the sleep without an exception; the caller
    /// looks at its token.
    /// </summary>
    public async Task<bool> SleepAsync(TimeSpan delay, TimeProvider clock, CancellationToken cancellationToken)
    {
        await SleepAsync(delay, clock, cancellationToken, this, null);
        return Take();
    }

    /// <summary>
    /// Sleeps <paramref name="delay"/> on <paramref name="clock"/> or until <paramref name="first"/> or
    /// <paramref name="second"/> is set, and says whether the delay ran out; the signals are left for
    /// the caller to take (a loop whose rule depends on which woke it). Stopping ends the sleep without
    /// an exception; the caller looks at its token.
    /// </summary>
    public static async Task<bool> SleepAsync(TimeSpan delay, TimeProvider clock, CancellationToken cancellationToken, WakeSignal first, WakeSignal? second)
    {
        if (delay == TimeSpan.Zero)
        {
            return true;
        }
        if (first.Signaled.IsCompleted || second?.Signaled.IsCompleted == true)
        {
            return false;
        }
        using var sleep = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delayed = Task.Delay(delay, clock, sleep.Token);
        // A cancelled delay only ends its task, which WhenAny does not throw for.
        await (second is null ? Task.WhenAny(delayed, first.Signaled) : Task.WhenAny(delayed, first.Signaled, second.Signaled));
        await sleep.CancelAsync();
        return delayed.IsCompletedSuccessfully;
    }
}
