using Microsoft.Extensions.Time.Testing;

namespace Vigil.Metrics.Tests;

public class ClockWaitsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A fake clock that someone moves to a given time just before a timer is made: between the waiter's reading and its timer.</summary>
    private sealed class MovedBeforeTimer(FakeTimeProvider clock, DateTimeOffset to) : TimeProvider
    {
        private bool moved;

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (!moved)
            {
                moved = true;
                clock.SetUtcNow(to);
            }
            return clock.CreateTimer(callback, state, dueTime, period);
        }
    }

    [Fact]
    public async Task A_wait_whose_time_came_while_its_timer_was_made_ends_without_another_move()
    {
        var fake = new FakeTimeProvider(Start);
        var due = Start.AddSeconds(15);
        var wait = new MovedBeforeTimer(fake, due).DelayUntilAsync(due, CancellationToken.None);
        // A plain Task.Delay(15 s) made now would be due at 09:00:30 and wait for a move that never comes.
        Assert.Same(wait, await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(10), TimeProvider.System)));
        await wait;
    }

    [Fact]
    public async Task A_wait_whose_clock_moved_part_way_while_its_timer_was_made_ends_at_its_time_not_later()
    {
        var fake = new FakeTimeProvider(Start);
        var due = Start.AddSeconds(15);
        var wait = new MovedBeforeTimer(fake, Start.AddSeconds(5)).DelayUntilAsync(due, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        fake.SetUtcNow(due.AddTicks(-1));
        Assert.False(wait.IsCompleted);
        fake.SetUtcNow(due);
        Assert.Same(wait, await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(10), TimeProvider.System)));
    }

    [Fact]
    public async Task A_wait_for_a_time_already_past_ends_at_once_and_a_cancelled_wait_throws()
    {
        var fake = new FakeTimeProvider(Start);
        await fake.DelayUntilAsync(Start, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var wait = fake.DelayUntilAsync(Start.AddHours(1), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
