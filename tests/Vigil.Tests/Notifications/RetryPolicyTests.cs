using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Delivery;

namespace Vigil.Tests.Notifications;

public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly NotificationSettings Settings = new() { InitialBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromMinutes(5), RetryDeadline = TimeSpan.FromHours(1) };

    [Theory]
    // attempts, seconds since queued, random → seconds until the next try
    [InlineData(1, 0, 0.0, 5)]
    [InlineData(1, 0, 1.0, 10)]
    [InlineData(2, 10, 0.0, 10)]
    [InlineData(3, 30, 0.5, 30)]
    [InlineData(10, 600, 1.0, 300)]
    [InlineData(60, 600, 0.0, 150)]
    public void The_wait_doubles_per_failure_with_half_of_it_jittered_and_is_capped(int attempts, int since, double random, int expected)
    {
        var now = Created.AddSeconds(since);
        var (decision, next) = RetryPolicy.Decide(Created, attempts, now, Settings, random);
        Assert.Equal(AfterFailure.Retry, decision);
        Assert.Equal(TimeSpan.FromSeconds(expected), next - now);
    }

    [Fact]
    public void The_last_try_is_at_the_deadline_and_none_after_it()
    {
        var (decision, next) = RetryPolicy.Decide(Created, 20, Created.AddMinutes(58), Settings, 1.0);
        Assert.Equal((AfterFailure.Retry, Created.AddHours(1)), (decision, next));
        Assert.Equal(AfterFailure.GiveUp, RetryPolicy.Decide(Created, 21, Created.AddHours(1), Settings, 0.0).Decision);
    }

    [Theory]
    [InlineData(2, 0, false)]
    [InlineData(3, 0, true)]
    [InlineData(1, 31, true)]
    [InlineData(1, 30, false)]
    public void A_channel_is_failing_after_failures_in_a_row_or_a_message_waiting_past_half_its_deadline(int failures, int minutesWaiting, bool failing) =>
        Assert.Equal(failing, RetryPolicy.IsFailing(failures, Created, Created.AddMinutes(minutesWaiting), new NotificationSettings { FailingAfter = 3, RetryDeadline = TimeSpan.FromHours(1) }));

    [Fact]
    public void A_rate_limit_lets_the_next_message_go_a_minute_after_the_oldest_in_the_window()
    {
        var limit = new ChannelRateLimit();
        limit.Sent(Created);
        limit.Sent(Created.AddSeconds(20));
        Assert.Equal(Created.AddMinutes(1), limit.NextFree(2, Created.AddSeconds(30)));
        Assert.Equal(Created.AddSeconds(30), limit.NextFree(3, Created.AddSeconds(30)));
        Assert.Equal(Created.AddSeconds(61), limit.NextFree(2, Created.AddSeconds(61)));
    }
}
