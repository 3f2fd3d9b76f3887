namespace Vigil.Features.Notifications.Channels;

/// <summary>Alertmanager webhook JSON (version 4), with the idempotency key in an <c>Idempotency-Key</c> header so a receiver can drop a retry it already has.</summary>
public sealed class WebhookChannel : INotificationChannel
{
    public string Type => "webhook";

    public Task<SendResult> SendAsync(ChannelDefinition channel, Notification notification, CancellationToken cancellationToken)
    {
        var bearer = ChannelSecret.Read(channel.BearerToken, channel.BearerTokenFile);
        return ChannelHttp.PostAsync(ChannelSecret.Read(channel.Url, channel.UrlFile)!, ChannelHttp.Json(WebhookPayload.Render(notification.Group)), headers =>
        {
            headers.Add("Idempotency-Key", notification.IdempotencyKey);
            if (!string.IsNullOrEmpty(bearer))
            {
                headers.Authorization = new("Bearer", bearer);
            }
        }, cancellationToken);
    }
}
