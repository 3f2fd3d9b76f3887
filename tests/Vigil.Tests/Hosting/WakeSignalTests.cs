using Microsoft.Extensions.Time.Testing;
using Vigil.Hosting;

namespace Vigil.Tests.Hosting;

/// <summary>
/// <see cref="WakeSignal"/>, the wake-up of the background loops (the dispatcher, the sender, TimedLoop): a
/// wake-up is never lost, however it falls against the loop's sleep, several wake one look, and the
/// sleep ends on the injected clock or on stopping, without an exception.
/// </summary>
public sealed class WakeSignalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_wake_up_set_before_the_sleep_ends_it_at_once_and_is_taken()
    {
        var clock = new FakeTimeProvider(Start);
        var signal = new WakeSignal();
        signal.Set();
        signal.Set();

        // Both calls came before the look: one look answers them.
        Assert.True(await signal.SleepAsync(TimeSpan.FromMinutes(1), clock, CancellationToken.None).WaitAsync(Patience));
        Assert.False(signal.Take());
        Assert.False(signal.Signaled.IsCompleted);
    }

    [Fact]
    public async Task A_wake_up_during_the_sleep_ends_it_before_its_time()
    {
        var clock = new FakeTimeProvider(Start);
        var signal = new WakeSignal();
        var sleeping = signal.SleepAsync(TimeSpan.FromMinutes(1), clock, CancellationToken.None);
        Assert.False(sleeping.IsCompleted);

        signal.Set();

        Assert.True(await sleeping.WaitAsync(Patience));
        Assert.Equal(Start, clock.GetUtcNow());
    }

    [Fact]
    public async Task A_sleep_without_a_wake_up_ends_when_its_time_has_passed_on_the_clock()
    {
        var clock = new FakeTimeProvider(Start);
        var signal = new WakeSignal();
        var sleeping = signal.SleepAsync(TimeSpan.FromMinutes(1), clock, CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(59));
        // Given the chance to end early, it does not.
        await Task.WhenAny(sleeping, Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System));
        Assert.False(sleeping.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await sleeping.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_wake_up_after_one_was_taken_wakes_the_next_sleep()
    {
        var clock = new FakeTimeProvider(Start);
        var signal = new WakeSignal();
        signal.Set();
        Assert.True(signal.Take());

        // Set while the loop works, after its last look: the next sleep must not wait it out.
        signal.Set();

        Assert.True(await signal.SleepAsync(TimeSpan.FromMinutes(1), clock, CancellationToken.None).WaitAsync(Patience));
    }

    [Fact]
    public async Task Stopping_ends_the_sleep_without_an_exception()
    {
        var clock = new FakeTimeProvider(Start);
        var signal = new WakeSignal();
        using var stop = new CancellationTokenSource();
        var sleeping = signal.SleepAsync(TimeSpan.FromMinutes(1), clock, stop.Token);

        await stop.CancelAsync();

        Assert.False(await sleeping.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_sleep_on_two_signals_says_whether_its_time_ran_out_and_leaves_the_signals_to_take()
    {
        // The dispatcher's loop: a retiming alone moves its sleep, new alerts or a sleep that ran out take a pass.
        var clock = new FakeTimeProvider(Start);
        var (wake, retime) = (new WakeSignal(), new WakeSignal());
        var sleeping = WakeSignal.SleepAsync(TimeSpan.FromMinutes(1), clock, CancellationToken.None, wake, retime);
        Assert.False(sleeping.IsCompleted);

        retime.Set();

        Assert.False(await sleeping.WaitAsync(Patience));
        Assert.Equal(Start, clock.GetUtcNow());
        Assert.False(wake.Take());
        Assert.True(retime.Take());

        // Set before the sleep: it ends at once, not run out.
        wake.Set();
        Assert.False(await WakeSignal.SleepAsync(TimeSpan.FromMinutes(1), clock, CancellationToken.None, wake, retime).WaitAsync(Patience));
        Assert.True(wake.Take());

        var waiting = WakeSignal.SleepAsync(TimeSpan.FromMinutes(1), clock, CancellationToken.None, wake, retime);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await waiting.WaitAsync(Patience));
        Assert.False(wake.Take() || retime.Take());

        // A group due now: the sleep has run out, whatever else is set.
        retime.Set();
        Assert.True(await WakeSignal.SleepAsync(TimeSpan.Zero, clock, CancellationToken.None, wake, retime).WaitAsync(Patience));
    }

    [Fact]
    public async Task Wake_ups_from_many_threads_while_the_loop_looks_are_never_lost()
    {
        // A loop that takes the signal and counts what it saw, against setters that each publish a
        // number and then set: every number published is seen by a look that comes after it.
        var clock = new FakeTimeProvider(Start);
        var signal = new WakeSignal();
        var published = 0;
        var seen = 0;
        const int total = 20_000;
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            while (Volatile.Read(ref seen) < total && !stop.IsCancellationRequested)
            {
                await signal.SleepAsync(TimeSpan.FromHours(1), clock, stop.Token);
                Volatile.Write(ref seen, Volatile.Read(ref published));
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < total / 4; i++)
            {
                Interlocked.Increment(ref published);
                signal.Set();
            }
        })));

        // The clock never moves: only the wake-ups can bring the loop to the last number.
        await loop.WaitAsync(Patience);
        Assert.Equal(total, Volatile.Read(ref seen));
    }
}
