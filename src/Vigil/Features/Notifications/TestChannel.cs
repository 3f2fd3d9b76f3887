using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;
using Vigil.Hosting;
using Vigil.Metrics;

namespace Vigil.Features.Notifications;

/// <summary>
/// <c>POST /api/channels/{name}/test</c>: queues a test notification for the channel through the
/// outbox — the same path, retries and attempt record as a real one (Grafana's "test contact point").
/// </summary>
public static class TestChannel
{
    public sealed record Queued(long Id, string Channel, string IdempotencyKey, string Status);

    public const string AlertName = "TestAlert";

    public static async Task<Results<Accepted<Queued>, ProblemHttpResult>> Handle(
        string name, VigilDbContext db, AuditLog audit, ChannelDirectory directory, Configuration.ConfigReloader config, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (directory.Find(name) is null)
        {
            return Problems.NotFound($"channel \"{name}\"");
        }
        var now = clock.GetUtcNow();
        var request = Request(name, config.Current.Config.Server.ExternalUrl ?? config.Current.Config.Routing.ExternalUrl, now);
        var key = $"test:{name}:{Guid.NewGuid():N}";
        var message = NotificationOutbox.Enqueue(db, request, key, now);
        audit.Record("test", "channel", name, new { idempotency_key = key });
        // Saving wakes the sender (NotificationOutbox.Enqueue).
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/notifications?channel={Uri.EscapeDataString(name)}", new Queued(message.Id, name, key, "pending"));
    }

    /// <summary>
    /// One firing alert that says what it is, as Grafana's and Alertmanager's test notifications do;
    /// its link is the alerts page under <paramref name="externalUrl"/> (absolute, like every real notification's).
    /// </summary>
    public static NotificationRequest Request(string channel, string externalUrl, DateTimeOffset now)
    {
        var labels = Labels.From([new("alertname", AlertName), new("channel", channel), new("severity", "none")]);
        var annotations = Labels.From([new("summary", $"Test notification from Vigil to channel {channel}"), new("description", "If you can read this, the channel works.")]);
        var group = new NotificationGroup("test", "{}", Labels.From([new("alertname", AlertName), new("channel", channel)]),
            [new NotifiedAlert(AlertStatus.Firing, labels, annotations, now, null, "")], externalUrl);
        return NotificationRequest.For(channel, group, "{}");
    }
}
