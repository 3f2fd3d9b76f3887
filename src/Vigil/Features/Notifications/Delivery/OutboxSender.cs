using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Outbox;

namespace Vigil.Features.Notifications.Delivery;

/// <summary>
/// Delivers the outbox: picks due messages, sends each through its channel, records every attempt,
/// and schedules a failed one again (<see cref="RetryPolicy"/>) until its deadline. Each channel
/// drains on its own task, one message at a time, so a slow or failing channel never holds up
/// the others. At least once: a message stays due until an attempt is recorded, so one that was
/// in flight when the process died is sent again after the restart — with the same idempotency key.
/// </summary>
public sealed class OutboxSender(
    IServiceScopeFactory scopes, ChannelDirectory directory, IEnumerable<INotificationChannel> kinds, ChannelFailureAlerts failures,
    TimeProvider clock, Random random, ILogger<OutboxSender> logger) : BackgroundService
{
    /// <summary>How often the outbox is looked at when nothing wakes the sender.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const int Batch = 50;

    private readonly Dictionary<string, INotificationChannel> byType = kinds.ToDictionary(k => k.Type, StringComparer.Ordinal);
    private readonly Dictionary<string, Task> draining = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelRateLimit> limits = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim wake = new(0, int.MaxValue);

    /// <summary>Looks at the outbox now (after an enqueue) instead of at the next poll.</summary>
    public void Wake() => wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartDueChannelsAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Reading the notification outbox failed");
            }
            try
            {
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(PollInterval, clock, poll.Token);
                await Task.WhenAny(delay, wake.WaitAsync(poll.Token));
                await poll.CancelAsync();
            }
            catch (OperationCanceledException)
            {
            }
        }
        Task[] running;
        lock (draining)
        {
            running = [.. draining.Values];
        }
        await Task.WhenAll(running);
    }

    private async Task StartDueChannelsAsync(CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var due = await db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now)
            .Select(m => m.Channel).Distinct().ToListAsync(stoppingToken);
        lock (draining)
        {
            foreach (var channel in due.Where(c => !draining.ContainsKey(c)))
            {
                draining[channel] = Task.Run(async () =>
                {
                    var drained = false;
                    try
                    {
                        await DrainAsync(channel, stoppingToken);
                        drained = true;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogError(e, "Delivering to channel {Channel} failed", channel);
                    }
                    finally
                    {
                        lock (draining)
                        {
                            draining.Remove(channel);
                        }
                    }
                    if (drained)
                    {
                        // A message queued while this drain was finishing was not seen by it and its wake-up was skipped.
                        Wake();
                    }
                }, CancellationToken.None);
            }
        }
    }

    /// <summary>Sends the channel's due messages one after the other, within its rate limit.</summary>
    private async Task DrainAsync(string channel, CancellationToken stoppingToken)
    {
        while (await DrainBatchAsync(channel, stoppingToken))
        {
        }
    }

    /// <returns>Whether there may be more due messages.</returns>
    private async Task<bool> DrainBatchAsync(string channel, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var now = clock.GetUtcNow();
        var messages = await db.Set<OutboxMessage>()
            .Where(m => m.Channel == channel && m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Take(Batch).ToListAsync(stoppingToken);
        foreach (var message in messages)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            var definition = await directory.FindAsync(channel, stoppingToken);
            var limit = RateLimitOf(channel);
            var free = limit.NextFree(definition?.RateLimit ?? 0, clock.GetUtcNow());
            if (free > clock.GetUtcNow())
            {
                // Over the limit: the rest waits, in order, without counting as failures.
                foreach (var waiting in messages.Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt < free))
                {
                    waiting.NextAttemptAt = free;
                }
                await db.SaveChangesAsync(CancellationToken.None);
                return false;
            }
            await DeliverAsync(db, message, definition, limit, stoppingToken);
        }
        return messages.Count == Batch;
    }

    private ChannelRateLimit RateLimitOf(string channel)
    {
        lock (limits)
        {
            return limits.TryGetValue(channel, out var limit) ? limit : limits[channel] = new ChannelRateLimit();
        }
    }

    private async Task DeliverAsync(VigilDbContext db, OutboxMessage message, ChannelDefinition? definition, ChannelRateLimit limit, CancellationToken stoppingToken)
    {
        var group = NotificationRequest.FromJson(message.Payload).ToGroup();
        if (definition is { SendResolved: false } && group.Status == AlertStatus.Resolved)
        {
            message.Status = OutboxStatus.Skipped;
            message.NextAttemptAt = null;
            await db.SaveChangesAsync(stoppingToken);
            return;
        }
        var started = clock.GetUtcNow();
        var ticks = clock.GetTimestamp();
        var result = await SendOnceAsync(definition, new Notification(group, message.IdempotencyKey), stoppingToken);
        var now = clock.GetUtcNow();
        limit.Sent(now);
        db.Add(new DeliveryAttempt
        {
            MessageId = message.Id,
            Channel = message.Channel,
            At = started,
            DurationMs = (int)Math.Min(clock.GetElapsedTime(ticks).TotalMilliseconds, int.MaxValue),
            Succeeded = result.Delivered,
            StatusCode = result.StatusCode,
            Response = Excerpt(result.Response),
            Error = result.Error is { Length: > 2000 } e ? e[..2000] : result.Error,
        });
        message.Attempts++;
        var settings = directory.Settings;
        if (result.Delivered)
        {
            message.Status = OutboxStatus.Delivered;
            message.DeliveredAt = now;
            message.NextAttemptAt = null;
            message.LastError = null;
        }
        else
        {
            var (decision, next) = RetryPolicy.Decide(message.CreatedAt, message.Attempts, now, settings, random.NextDouble());
            message.Status = decision == AfterFailure.GiveUp ? OutboxStatus.Failed : OutboxStatus.Pending;
            message.NextAttemptAt = next;
            message.LastError = result.Error is { Length: > 2000 } error ? error[..2000] : result.Error;
            logger.LogWarning("Notification {Id} to {Channel} failed (attempt {Attempt}): {Error}", message.Id, message.Channel, message.Attempts, result.Error);
        }
        // Not cancellable: an attempt that was made is recorded, or the receiver would get it again after a restart.
        await db.SaveChangesAsync(CancellationToken.None);
        if (await failures.AfterAttemptAsync(message, definition, result.Delivered, stoppingToken))
        {
            Wake();
        }
    }

    private async Task<SendResult> SendOnceAsync(ChannelDefinition? definition, Notification notification, CancellationToken stoppingToken)
    {
        if (definition is null)
        {
            return SendResult.Failed("no such channel in the configuration");
        }
        if (!byType.TryGetValue(definition.Type ?? "", out var kind))
        {
            return SendResult.Failed($"unknown channel type \"{definition.Type}\"");
        }
        using var timeout = new CancellationTokenSource(definition.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            return await kind.SendAsync(definition, notification, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            return SendResult.Failed($"timed out after {Configuration.Duration.Format(definition.Timeout)}");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            return SendResult.Failed(e.Message);
        }
    }

    private static string? Excerpt(string? response) =>
        response is null ? null : response.Length > ChannelHttp.ResponseExcerptBytes ? response[..ChannelHttp.ResponseExcerptBytes] : response;
}
