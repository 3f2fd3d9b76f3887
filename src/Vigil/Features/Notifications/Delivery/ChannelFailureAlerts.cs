using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Alerting;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;

namespace Vigil.Features.Notifications.Delivery;

/// <summary>
/// What happens when a channel keeps failing: it raises its own alert
/// <c>NotificationChannelFailing{channel="..."}</c> (source <c>vigil</c>) through routing, resolved
/// by its next success, and a message it cannot deliver is also queued for its <c>fallback</c>
/// channel (once: the copy's idempotency key is the original's plus <c>/fallback:NAME</c>).
/// </summary>
public sealed class ChannelFailureAlerts(IServiceScopeFactory scopes, ChannelDirectory directory, IAlertIngest ingest, TimeProvider clock, ILogger<ChannelFailureAlerts> logger)
{
    public const string AlertName = "NotificationChannelFailing";

    /// <param name="templateError">The channel's template failed on this message (sent in the default layout): the channel is failing at once, and stays so until a message renders.</param>
    /// <returns>Whether a message was queued for the fallback channel.</returns>
    public async Task<bool> AfterAttemptAsync(OutboxMessage message, ChannelDefinition? channel, bool delivered, CancellationToken cancellationToken, string? templateError = null)
    {
        if (templateError is not null)
        {
            var broken = directory.HealthOf(message.Channel);
            lock (broken)
            {
                broken.Failing = true;
            }
            await PutAsync(message.Channel, templateError, null, cancellationToken);
            return false;
        }
        var health = directory.HealthOf(message.Channel);
        var now = clock.GetUtcNow();
        bool raise, resolve;
        lock (health)
        {
            health.ConsecutiveFailures = delivered ? 0 : health.ConsecutiveFailures + 1;
            var failing = !delivered && RetryPolicy.IsFailing(health.ConsecutiveFailures, message.CreatedAt, now, directory.Settings);
            raise = failing;
            resolve = delivered && health.Failing;
            health.Failing = failing || (health.Failing && !delivered);
        }
        if (raise || resolve)
        {
            await PutAsync(message.Channel, message.LastError, resolve ? now : null, cancellationToken);
        }
        if (raise && channel?.Fallback is { } fallback && !message.IdempotencyKey.Contains("/fallback:", StringComparison.Ordinal))
        {
            return await FallBackAsync(message, fallback, cancellationToken);
        }
        return false;
    }

    private async Task PutAsync(string channel, string? error, DateTimeOffset? endsAt, CancellationToken cancellationToken)
    {
        var alert = new IncomingAlert(
            Labels.From([new("alertname", AlertName), new("channel", channel), new("severity", "critical")]),
            Labels.From([new("summary", $"Notifications to channel {channel} are failing"), new("description", error ?? "")]),
            null, endsAt, "", "vigil");
        try
        {
            await ingest.PutAsync([alert], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Raising {Alert} for {Channel} failed", AlertName, channel);
        }
    }

    private async Task<bool> FallBackAsync(OutboxMessage message, string fallback, CancellationToken cancellationToken)
    {
        var key = $"{message.IdempotencyKey}/fallback:{fallback}";
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        if (await db.Set<OutboxMessage>().AnyAsync(m => m.IdempotencyKey == key, cancellationToken))
        {
            return false;
        }
        var request = NotificationRequest.FromJson(message.Payload) with { Channel = fallback };
        NotificationOutbox.Enqueue(db, request, key, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning("Notification {Id} to failing channel {Channel} also queued for fallback {Fallback}", message.Id, message.Channel, fallback);
        return true;
    }
}
