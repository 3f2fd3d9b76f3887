using Vigil.Features.Templates;

namespace Vigil.Features.Notifications.Channels;

/// <summary>
/// The Alertmanager webhook payload, version 4 (<c>notify/webhook</c>), field for field and in
/// Alertmanager's order, so receivers written for Alertmanager work unchanged.
/// </summary>
public static class WebhookPayload
{
    public static byte[] Render(NotificationGroup group) => GoJson.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("receiver", group.Receiver);
        json.WriteString("status", Status(group.Status));
        json.WriteStartArray("alerts");
        foreach (var alert in group.Alerts)
        {
            json.WriteStartObject();
            json.WriteString("status", Status(alert.Status));
            GoJson.WriteMap(json, "labels", alert.Labels);
            GoJson.WriteMap(json, "annotations", alert.Annotations);
            json.WriteString("startsAt", GoJson.Time(alert.StartsAt));
            json.WriteString("endsAt", GoJson.Time(alert.EndsAt));
            json.WriteString("generatorURL", alert.GeneratorUrl);
            json.WriteString("fingerprint", alert.Fingerprint);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        GoJson.WriteMap(json, "groupLabels", group.GroupLabels);
        GoJson.WriteMap(json, "commonLabels", group.CommonLabels);
        GoJson.WriteMap(json, "commonAnnotations", group.CommonAnnotations);
        json.WriteString("externalURL", group.ExternalUrl);
        json.WriteString("version", "4");
        json.WriteString("groupKey", group.GroupKey);
        json.WriteNumber("truncatedAlerts", group.TruncatedAlerts);
        json.WriteEndObject();
    });

    public static string Status(AlertStatus status) => status == AlertStatus.Firing ? "firing" : "resolved";
}
