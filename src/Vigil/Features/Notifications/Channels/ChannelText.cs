using System.Globalization;
using System.Text;
using Vigil.Features.Alerting.Templates;
using Vigil.Metrics;

namespace Vigil.Features.Notifications.Channels;

/// <summary>
/// The words of a notification for the channels that are read by people (email, SMS, Teams):
/// the layouts of the operations guide (seeds 001, "Communication Templates") —
/// <c>🚨 INCIDENT ALERT</c> when the group fires, <c>📊 INCIDENT UPDATE</c> while it fires and
/// some of it has resolved, <c>✅ INCIDENT RESOLVED</c> when all of it has — unless the channel
/// sets its own <c>title</c>/<c>text</c> templates.
/// </summary>
public static class ChannelText
{
    /// <summary>The channel's title template rendered over the group, or null when it has none.</summary>
    public static string? CustomTitle(ChannelDefinition channel, NotificationGroup group) =>
        channel.Title is null ? null : AlertTemplate.Expand(channel.Title, Data(group));

    public static string? CustomText(ChannelDefinition channel, NotificationGroup group) =>
        channel.Text is null ? null : AlertTemplate.Expand(channel.Text, Data(group));

    /// <summary>
    /// Why <paramref name="template"/> fails to render a sample notification (one firing alert with
    /// the usual labels and annotations), or null. As <c>amtool check-config</c> and Prometheus's
    /// rule check do, a template is rendered once when the config is loaded, so an error that only
    /// shows at send time (<c>{{ .CommonAnnotations.description }}</c>: no such field here) is
    /// reported with its line instead of stalling the channel. The reason is Go's:
    /// <c>template: text:1:3: executing "text" at &lt;...&gt;: ...</c>.
    /// </summary>
    public static string? RenderError(string name, string template)
    {
        try
        {
            AlertTemplate.Expand(template, Data(Sample));
            return null;
        }
        catch (TemplateExecutionException e)
        {
            return e.GoMessage(name, "", template);
        }
        catch (TemplateException e)
        {
            return e.Message;
        }
    }

    private static readonly NotificationGroup Sample = CreateSample();

    private static NotificationGroup CreateSample()
    {
        var labels = Labels.Of("alertname", "SampleAlert", "severity", "critical", "service", "api", "instance", "api-1:9100", "job", "api");
        var annotations = Labels.Of("summary", "Sample summary", "description", "Sample description", "runbook_url", "https://runbooks.example/sample");
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return new NotificationGroup("sample", "{}:{alertname=\"SampleAlert\"}", Labels.Of("alertname", "SampleAlert"),
            [new NotifiedAlert(AlertStatus.Firing, labels, annotations, at, null, "http://localhost/alerts")], "http://localhost");
    }

    /// <summary>Templates see the group's common labels as <c>$labels</c> and the number of firing alerts as <c>$value</c>.</summary>
    private static TemplateData Data(NotificationGroup group) =>
        new(group.CommonLabels, group.Firing.Count(), Labels.Empty, group.ExternalUrl);

    public static string Heading(NotificationGroup group) =>
        group.Status == AlertStatus.Resolved ? "✅ INCIDENT RESOLVED"
        : group.Resolved.Any() ? "📊 INCIDENT UPDATE"
        : "🚨 INCIDENT ALERT";

    public static string Title(ChannelDefinition channel, NotificationGroup group) => CustomTitle(channel, group) ?? group.Title;

    /// <summary>The plain-text body: the heading, the seed's fields, then every alert.</summary>
    public static string Text(ChannelDefinition channel, NotificationGroup group)
    {
        if (CustomText(channel, group) is { } custom)
        {
            return custom;
        }
        var text = new StringBuilder();
        foreach (var (name, value) in Lines(group))
        {
            text.Append(name is null ? value : $"{name}: {value}").Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The short form for SMS: heading, severity, service, issue and link.</summary>
    public static string Short(ChannelDefinition channel, NotificationGroup group) =>
        CustomText(channel, group) ?? string.Join('\n', Lines(group).Take(5).Select(l => l.Name is null ? l.Value : $"{l.Name}: {l.Value}"));

    public static string Html(ChannelDefinition channel, NotificationGroup group)
    {
        if (CustomText(channel, group) is { } custom)
        {
            return $"<html><body><pre>{Escape(custom)}</pre></body></html>";
        }
        var html = new StringBuilder("<html><body>");
        foreach (var (name, value) in Lines(group))
        {
            html.Append(name is null ? $"<p><strong>{Escape(value)}</strong></p>" : $"<p>{Escape(name)}: {Escape(value)}</p>");
        }
        return html.Append("</body></html>").ToString();
    }

    /// <summary>The seed's lines (Severity, Service, Issue, ...) from the group's common labels and annotations.</summary>
    public static IEnumerable<(string? Name, string Value)> Lines(NotificationGroup group)
    {
        var common = group.CommonLabels;
        yield return (null, Heading(group));
        yield return ("Severity", Or(common.Get("severity"), "unknown"));
        yield return ("Service", Or(common.Get("service"), Or(common.Get("job"), "unknown")));
        yield return ("Issue", Or(group.CommonAnnotations.Get("summary"), Or(common.Get("alertname"), group.Title)));
        yield return ("Alerts", string.Create(CultureInfo.InvariantCulture, $"{group.Firing.Count()} firing, {group.Resolved.Count()} resolved"));
        yield return ("Link", group.AlertListUrl);
        foreach (var alert in group.Alerts)
        {
            var since = alert.Status == AlertStatus.Firing
                ? $"since {alert.StartsAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"
                : $"resolved {alert.EndsAt?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC";
            var summary = alert.Annotations.Has("summary") ? $" — {alert.Annotations.Get("summary")}" : "";
            yield return (null, $"[{WebhookPayload.Status(alert.Status)}] {NotificationGroup.FormatLabelSet(alert.Labels)} {since}{summary}");
        }
    }

    /// <summary>HTML-escapes markup characters only, so emoji and other text stay as they are (UTF-8 mail).</summary>
    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string Or(string value, string otherwise) => value.Length > 0 ? value : otherwise;
}
