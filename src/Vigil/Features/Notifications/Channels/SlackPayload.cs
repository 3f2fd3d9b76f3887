using Vigil.Features.Templates;

namespace Vigil.Features.Notifications.Channels;

/// <summary>A Slack incoming-webhook message with Alertmanager 0.25's default templates (<c>notify/slack</c>).</summary>
public static class SlackPayload
{
    /// <param name="title">The channel's own title; Alertmanager's default title when null.</param>
    /// <param name="text">The channel's own text; empty (Alertmanager's default) when null.</param>
    public static byte[] Render(NotificationGroup group, string? channel, string username = "Alertmanager", string? title = null, string? text = null) => GoJson.Write(json =>
    {
        title ??= group.Title;
        json.WriteStartObject();
        if (!string.IsNullOrEmpty(channel))
        {
            json.WriteString("channel", channel);
        }
        json.WriteString("username", username);
        json.WriteStartArray("attachments");
        json.WriteStartObject();
        json.WriteString("title", title);
        json.WriteString("title_link", group.ConsoleUrl);
        json.WriteString("text", text ?? "");
        json.WriteString("fallback", $"{title} | {group.ConsoleUrl}");
        json.WriteString("callback_id", "");
        json.WriteString("footer", "");
        json.WriteString("color", group.Status == AlertStatus.Firing ? "danger" : "good");
        json.WriteStartArray("mrkdwn_in");
        json.WriteStringValue("fallback");
        json.WriteStringValue("pretext");
        json.WriteStringValue("text");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
