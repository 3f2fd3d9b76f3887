namespace Vigil.Features.Notifications.Channels;

/// <summary>PagerDuty Events API v2: trigger and resolve under the group's <c>dedup_key</c>, which also makes a retried event harmless.</summary>
public sealed class PagerDutyChannel : INotificationChannel
{
    public const string EventsUrl = "https://events.pagerduty.com/v2/enqueue";

    public string Type => "pagerduty";

    public Task<SendResult> SendAsync(ChannelDefinition channel, Notification notification, CancellationToken cancellationToken)
    {
        var key = ChannelSecret.Read(channel.RoutingKey, channel.RoutingKeyFile)!;
        var body = PagerDutyPayload.Render(notification.Group, key, channel.Severity, ChannelText.CustomTitle(channel, notification.Group));
        return ChannelHttp.PostAsync(channel.Url ?? EventsUrl, ChannelHttp.Json(body), null, cancellationToken);
    }
}
