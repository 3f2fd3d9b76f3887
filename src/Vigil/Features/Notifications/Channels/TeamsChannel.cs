using System.Text.Json;

namespace Vigil.Features.Notifications.Channels;

/// <summary>A Microsoft Teams incoming webhook: an Office 365 connector MessageCard with the incident layout.</summary>
public sealed class TeamsChannel : INotificationChannel
{
    public string Type => "teams";

    public Task<SendResult> SendAsync(ChannelDefinition channel, Notification notification, CancellationToken cancellationToken)
    {
        var group = notification.Group;
        var title = ChannelText.Title(channel, group);
        // MessageCard: https://learn.microsoft.com/outlook/actionable-messages/message-card-reference
        // Teams renders "text" as Markdown; two spaces before a newline keep the seed's line breaks.
        var card = new Dictionary<string, object>
        {
            ["@type"] = "MessageCard",
            ["@context"] = "https://schema.org/extensions",
            ["themeColor"] = group.Status == AlertStatus.Firing ? "D9534F" : "5CB85C",
            ["summary"] = title,
            ["title"] = title,
            ["text"] = ChannelText.Text(channel, group).TrimEnd('\n').Replace("\n", "  \n", StringComparison.Ordinal),
            ["potentialAction"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["@type"] = "OpenUri",
                    ["name"] = "View alerts",
                    ["targets"] = new object[] { new Dictionary<string, string> { ["os"] = "default", ["uri"] = group.ConsoleUrl } },
                },
            },
        };
        return ChannelHttp.PostAsync(ChannelSecret.Read(channel.Url, channel.UrlFile)!, ChannelHttp.Json(JsonSerializer.SerializeToUtf8Bytes(card)), null, cancellationToken);
    }
}
