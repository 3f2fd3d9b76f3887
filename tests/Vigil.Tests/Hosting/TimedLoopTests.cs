using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Hosting;

namespace Vigil.Tests.Hosting;

/// <summary>The background loops' sleep: counted on the injected clock from the pass's start, so a move of the clock during a pass cannot make a wake-up late.</summary>
public sealed class TimedLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Runs a loop whose passes are <paramref name="pass"/>; returns the channel each pass's number is written to, and the stopper.</summary>
    private static (Channel<int> Passes, CancellationTokenSource Stop) Start(TimeProvider clock, Func<int, TimeSpan> pass, WakeSignal? woken = null)
    {
        var passes = Channel.CreateUnbounded<int>();
        var stop = new CancellationTokenSource();
        var count = 0;
        _ = TimedLoop.RunAsync(
            _ =>
            {
                var number = ++count;
                var sleep = pass(number);
                passes.Writer.TryWrite(number);
                return Task.FromResult(sleep);
            },
            woken, TimeSpan.FromMinutes(10), clock, NullLogger.Instance, "failed", stop.Token);
        return (passes, stop);
    }

    [Fact]
    public async Task A_pass_that_answers_one_minute_while_the_clock_moves_one_minute_is_followed_at_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 7, 0, 0, TimeSpan.Zero));
        // The first pass works out "due in one minute" and the clock moves that minute before it sleeps
        // (a test's clock jumping between the escalation pass's answer and its sleep).
        var (passes, stop) = Start(clock, number =>
        {
            if (number == 1)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
            }
            return TimeSpan.FromMinutes(1);
        });
        using (stop)
        {
            Assert.Equal(1, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));

            // Due now: no further move of the clock is needed.
            Assert.Equal(2, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task Without_a_move_of_the_clock_a_pass_sleeps_what_it_answered()
    {
        var clock = new SleepRecordingClock(new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 7, 0, 0, TimeSpan.Zero)));
        var (passes, stop) = Start(clock, _ => TimeSpan.FromMinutes(1));
        using (stop)
        {
            Assert.Equal(1, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));
            // The loop asks the clock for its whole minute, not less.
            Assert.Equal(TimeSpan.FromMinutes(1), await clock.Sleeps.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));
            clock.Inner.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(2, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task A_wake_up_runs_the_next_pass_before_the_sleep_is_over_and_several_run_one()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 7, 0, 0, TimeSpan.Zero));
        var woken = new WakeSignal();
        var (passes, stop) = Start(clock, number =>
        {
            if (number == 2)
            {
                // Two changes while the pass works (pages changed, say): one more look answers both.
                woken.Set();
                woken.Set();
            }
            return TimeSpan.FromHours(1);
        }, woken);
        using (stop)
        {
            Assert.Equal(1, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));

            // Woken: the loop looks at once, with no move of the clock.
            woken.Set();
            Assert.Equal(2, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));
            Assert.Equal(3, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));

            // Then it sleeps its hour.
            await Task.WhenAny(passes.Reader.WaitToReadAsync().AsTask(), Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System));
            Assert.False(passes.Reader.TryPeek(out _));
            clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(4, await passes.Reader.ReadAsync().AsTask().WaitAsync(Patience, TimeProvider.System));
            await stop.CancelAsync();
        }
    }

    /// <summary>A fake clock that notes how long each timer made on it is due in (a loop's sleep).</summary>
    private sealed class SleepRecordingClock(FakeTimeProvider inner) : TimeProvider
    {
        public FakeTimeProvider Inner { get; } = inner;

        public Channel<TimeSpan> Sleeps { get; } = Channel.CreateUnbounded<TimeSpan>();

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

        public override long GetTimestamp() => Inner.GetTimestamp();

        public override long TimestampFrequency => Inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Sleeps.Writer.TryWrite(dueTime);
            return Inner.CreateTimer(callback, state, dueTime, period);
        }
    }
}
