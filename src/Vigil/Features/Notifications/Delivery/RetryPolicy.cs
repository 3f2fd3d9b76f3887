namespace Vigil.Features.Notifications.Delivery;

public enum AfterFailure
{
    /// <summary>Try again at the returned time.</summary>
    Retry,
    /// <summary>The retry deadline has passed: the message is failed.</summary>
    GiveUp,
}

/// <summary>
/// When to try a failed message again: exponential backoff (initial × 2^(attempts−1), capped at
/// the maximum) with "equal jitter" — half the wait fixed, half random — so that many messages
/// failing together do not come back together (AWS Architecture Blog, "Exponential Backoff and
/// Jitter"). Nothing past the deadline: a message is given up when its next try would be late.
/// </summary>
public static class RetryPolicy
{
    public static (AfterFailure Decision, DateTimeOffset? NextAt) Decide(DateTimeOffset createdAt, int attempts, DateTimeOffset now, NotificationSettings settings, double random)
    {
        var deadline = createdAt + settings.RetryDeadline;
        if (now >= deadline)
        {
            return (AfterFailure.GiveUp, null);
        }
        var exponent = Math.Min(Math.Max(attempts - 1, 0), 30);
        var wait = TimeSpan.FromTicks((long)Math.Min(settings.InitialBackoff.Ticks * Math.Pow(2, exponent), settings.MaxBackoff.Ticks));
        var jittered = wait / 2 + wait / 2 * random;
        var next = now + jittered;
        // One last try at the deadline rather than none.
        return (AfterFailure.Retry, next > deadline ? deadline : next);
    }

    /// <summary>
    /// A channel is failing after <c>failing_after</c> failed attempts in a row, or when a message
    /// to it has waited more than half its deadline: then it raises its alert and the message also
    /// goes to the fallback channel.
    /// </summary>
    public static bool IsFailing(int consecutiveFailures, DateTimeOffset oldestUndelivered, DateTimeOffset now, NotificationSettings settings) =>
        consecutiveFailures >= settings.FailingAfter || now - oldestUndelivered > settings.RetryDeadline / 2;
}

/// <summary>
/// <c>rate_limit</c> messages per minute for one channel: a sliding window of the last minute's
/// sends. A message over the limit waits; it is not dropped.
/// </summary>
public sealed class ChannelRateLimit
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Queue<DateTimeOffset> sent = new();

    /// <summary>When the next message may go (now when under the limit).</summary>
    public DateTimeOffset NextFree(int perMinute, DateTimeOffset now)
    {
        Forget(now);
        return perMinute <= 0 || sent.Count < perMinute ? now : sent.ElementAt(sent.Count - perMinute) + Window;
    }

    /// <summary>How many messages may go at <paramref name="now"/> without passing the limit (<see cref="int.MaxValue"/> without one).</summary>
    public int Available(int perMinute, DateTimeOffset now)
    {
        Forget(now);
        return perMinute <= 0 ? int.MaxValue : Math.Max(0, perMinute - sent.Count);
    }

    /// <summary>Drops the sends that left the window.</summary>
    private void Forget(DateTimeOffset now)
    {
        while (sent.Count > 0 && sent.Peek() + Window <= now)
        {
            sent.Dequeue();
        }
    }

    public void Sent(DateTimeOffset now) => sent.Enqueue(now);
}
