namespace Vigil.Features.Notifications.Channels;

/// <summary>
/// A Slack incoming webhook, with Alertmanager's message (or the channel's own title and text
/// templates). Where Alertmanager's default text is empty, ours is <see cref="ChannelText.Details"/>:
/// an incident update's whole message, or each alert's summary, description and other annotations.
/// </summary>
public sealed class SlackChannel : INotificationChannel
{
    public string Type => "slack";

    public Task<SendResult> SendAsync(ChannelDefinition channel, Notification notification, CancellationToken cancellationToken)
    {
        var body = SlackPayload.Render(notification.Group, channel.Channel, title: ChannelText.CustomTitle(channel, notification.Group), text: ChannelText.CustomText(channel, notification.Group) ?? ChannelText.Details(notification.Group));
        return ChannelHttp.PostAsync(ChannelSecret.Read(channel.Url, channel.UrlFile)!, ChannelHttp.Json(body), null, cancellationToken);
    }
}
