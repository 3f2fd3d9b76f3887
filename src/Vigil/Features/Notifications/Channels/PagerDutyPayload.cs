using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vigil.Features.Templates;

namespace Vigil.Features.Notifications.Channels;

/// <summary>
/// A PagerDuty Events API v2 event as Alertmanager 0.25 sends it (<c>notify/pagerduty</c>):
/// <c>trigger</c> while the group fires, <c>resolve</c> when all of it is resolved, under one
/// <c>dedup_key</c> (the SHA-256 of the group key) so PagerDuty keeps one incident per group.
/// </summary>
public static class PagerDutyPayload
{
    /// <summary>PagerDuty refuses summaries over 1024 characters; Alertmanager truncates them.</summary>
    private const int MaxSummary = 1024;

    public static string DedupKey(NotificationGroup group) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(group.GroupKey)));

    /// <param name="title">The channel's own summary; Alertmanager's default title when null.</param>
    public static byte[] Render(NotificationGroup group, string routingKey, string severity = "error", string? title = null) => GoJson.Write(json =>
    {
        title ??= group.Title;
        var summary = title.Length > MaxSummary ? title[..(MaxSummary - 1)] + "…" : title;
        json.WriteStartObject();
        json.WriteString("routing_key", routingKey);
        json.WriteString("dedup_key", DedupKey(group));
        json.WriteString("event_action", group.Status == AlertStatus.Firing ? "trigger" : "resolve");
        json.WriteStartObject("payload");
        json.WriteString("summary", summary);
        json.WriteString("source", "Alertmanager");
        json.WriteString("severity", severity);
        // Go writes map keys sorted.
        json.WriteStartObject("custom_details");
        json.WriteString("firing", AlertList(group.Firing));
        json.WriteString("num_firing", group.Firing.Count().ToString(CultureInfo.InvariantCulture));
        json.WriteString("num_resolved", group.Resolved.Count().ToString(CultureInfo.InvariantCulture));
        json.WriteString("resolved", AlertList(group.Resolved));
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("client", "Alertmanager");
        json.WriteString("client_url", group.ConsoleUrl);
        json.WriteEndObject();
    });

    /// <summary>Alertmanager's <c>__text_alert_list</c>: labels, annotations and source of each alert.</summary>
    public static string AlertList(IEnumerable<NotifiedAlert> alerts)
    {
        var text = new StringBuilder();
        foreach (var alert in alerts)
        {
            text.Append("Labels:\n");
            foreach (var l in alert.Labels)
            {
                text.Append(" - ").Append(l.Name).Append(" = ").Append(l.Value).Append('\n');
            }
            text.Append("Annotations:\n");
            foreach (var a in alert.Annotations)
            {
                text.Append(" - ").Append(a.Name).Append(" = ").Append(a.Value).Append('\n');
            }
            text.Append("Source: ").Append(alert.GeneratorUrl).Append('\n');
        }
        return text.ToString();
    }
}
