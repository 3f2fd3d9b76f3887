namespace Vigil.Features.Notifications.Channels;

/// <summary>One notification ready to send: the group it is about and the key that is the same for every attempt.</summary>
public sealed record Notification(NotificationGroup Group, string IdempotencyKey);

/// <summary>What one attempt came to: delivered or not, with what the receiver said.</summary>
/// <param name="TemplateFailed">The channel's own template failed and the message went out in the default layout (<see cref="Error"/> says why).</param>
public sealed record SendResult(bool Delivered, int? StatusCode, string? Response, string? Error, bool TemplateFailed = false)
{
    public static SendResult Failed(string error) => new(false, null, null, error);
}

/// <summary>
/// A kind of channel (slack, pagerduty, email, ...): a translator from a notification to the
/// receiver's payload plus one send. Retries, rate limits and the outbox live once, in
/// <see cref="Delivery.OutboxSender"/>, not here.
/// </summary>
public interface INotificationChannel
{
    /// <summary>The <c>type</c> in <c>channels:</c>.</summary>
    string Type { get; }

    /// <summary>One attempt. Returns a failed result for anything the receiver refused or that went wrong on the way; throws only when cancelled.</summary>
    Task<SendResult> SendAsync(ChannelDefinition channel, Notification notification, CancellationToken cancellationToken);
}

/// <summary>A secret given inline or as <c>*_file</c> (read at each send, so a rotated file takes effect without a reload).</summary>
public static class ChannelSecret
{
    public static string? Read(string? value, string? file) => file is null ? value : File.ReadAllText(file).Trim();
}
