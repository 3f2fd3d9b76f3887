using System.Globalization;
using System.Text;
using Vigil.Features.Templates;
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

    /// <summary>The alert name an incident's status update travels under (its description is the whole message).</summary>
    public const string IncidentUpdate = "IncidentUpdate";

    /// <summary>Whether the group is an incident's status update: then the message is the update itself, not an alert layout around it.</summary>
    public static bool IsIncidentUpdate(NotificationGroup group) =>
        group.Alerts.Count > 0 && group.Alerts.All(a => a.Labels.Get("alertname") == IncidentUpdate);

    /// <summary>Annotations shown in full under each alert, in this order; any other annotation follows as <c>name: value</c>.</summary>
    private static readonly string[] Shown = ["summary", "description"];

    /// <summary>
    /// What the people reading a channel need beyond its title: an incident update's whole text,
    /// or for each alert its summary, description and every other annotation (the seeds'
    /// <c>action</c> "Scale workers", <c>runbook_url</c>, ...). Slack's default text (Alertmanager
    /// leaves it empty, which lost all of this).
    /// </summary>
    public static string Details(NotificationGroup group)
    {
        if (IsIncidentUpdate(group))
        {
            return group.Alerts[0].Annotations.Get("description");
        }
        var text = new StringBuilder();
        foreach (var alert in group.Alerts)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }
            text.Append(CultureInfo.InvariantCulture, $"[{WebhookPayload.Status(alert.Status)}] {NotificationGroup.FormatLabelSet(alert.Labels)}\n");
            foreach (var (name, value) in AnnotationLines(alert))
            {
                text.Append(name is null ? value : $"{name}: {value}").Append('\n');
            }
        }
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>An alert's annotations as lines: summary and description as they are, the others named (<c>Action: Scale workers</c>).</summary>
    private static IEnumerable<(string? Name, string Value)> AnnotationLines(NotifiedAlert alert)
    {
        var summary = alert.Annotations.Get("summary");
        var description = alert.Annotations.Get("description");
        if (summary.Length > 0 && !description.StartsWith(summary, StringComparison.Ordinal))
        {
            yield return (null, summary);
        }
        if (description.Length > 0)
        {
            yield return (null, description);
        }
        foreach (var annotation in alert.Annotations.Where(a => !Shown.Contains(a.Name) && a.Value.Length > 0))
        {
            yield return (Capitalise(annotation.Name.Replace('_', ' ')), annotation.Value);
        }
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>The plain-text body: the heading, the seed's fields, then every alert.</summary>
    public static string Text(ChannelDefinition channel, NotificationGroup group)
    {
        if (CustomText(channel, group) is { } custom)
        {
            return custom;
        }
        if (IsIncidentUpdate(group))
        {
            return $"{Details(group)}\n\nLink: {group.ExternalUrl}\n";
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
        if (IsIncidentUpdate(group))
        {
            var lines = Details(group).Split('\n').Select(l => $"<p>{Escape(l)}</p>");
            return $"<html><body>{string.Concat(lines)}<p><a href=\"{Escape(group.ExternalUrl)}\">{Escape(group.ExternalUrl)}</a></p></body></html>";
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
        yield return ("Link", group.ConsoleUrl);
        foreach (var alert in group.Alerts)
        {
            var since = alert.Status == AlertStatus.Firing
                ? $"since {alert.StartsAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"
                : $"resolved {alert.EndsAt?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC";
            yield return (null, $"[{WebhookPayload.Status(alert.Status)}] {NotificationGroup.FormatLabelSet(alert.Labels)} {since}");
            foreach (var line in AnnotationLines(alert))
            {
                yield return line;
            }
        }
    }

    /// <summary>HTML-escapes markup characters only, so emoji and other text stay as they are (UTF-8 mail).</summary>
    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string Or(string value, string otherwise) => value.Length > 0 ? value : otherwise;
}
