using System.Globalization;
using System.Text;
using Vigil.Features.Templates;
using Vigil.Metrics;

namespace Vigil.Features.Notifications;

public enum AlertStatus
{
    Firing,
    Resolved,
}

/// <summary>One alert as a notification carries it.</summary>
public sealed record NotifiedAlert(
    AlertStatus Status,
    Labels Labels,
    Labels Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string GeneratorUrl)
{
    /// <summary>The alert's identity: Alertmanager's fingerprint of its label set.</summary>
    public string Fingerprint => AlertFingerprint.Of(Labels);
}

/// <summary>
/// What one notification to one receiver is about: a group of alerts and what they have in
/// common. The same data Alertmanager gives its templates (<c>template.Data</c>), so that every
/// channel renders the payload Alertmanager would (captured in shared/fixtures/alertmanager-0.25).
/// </summary>
public sealed class NotificationGroup
{
    public NotificationGroup(string receiver, string routeKey, Labels groupLabels, IEnumerable<NotifiedAlert> alerts, string externalUrl, int truncatedAlerts = 0)
    {
        Receiver = receiver;
        GroupLabels = groupLabels;
        // Alertmanager lists a group's alerts in label-set order.
        Alerts = [.. alerts.OrderBy(a => a.Labels, Comparer<Labels>.Create(Labels.Compare))];
        ExternalUrl = externalUrl;
        TruncatedAlerts = truncatedAlerts;
        GroupKey = KeyOf(routeKey, groupLabels);
        CommonLabels = Common(Alerts.Select(a => a.Labels));
        CommonAnnotations = Common(Alerts.Select(a => a.Annotations));
    }

    public string Receiver { get; }
    public Labels GroupLabels { get; }
    public IReadOnlyList<NotifiedAlert> Alerts { get; }
    public string ExternalUrl { get; }
    public int TruncatedAlerts { get; }

    /// <summary>The route's key and the group's labels, e.g. <c>{}:{alertname="HighErrorRate", job="api"}</c>.</summary>
    public string GroupKey { get; }
    public Labels CommonLabels { get; }
    public Labels CommonAnnotations { get; }

    /// <summary>Firing while any alert in it fires.</summary>
    public AlertStatus Status => Alerts.Any(a => a.Status == AlertStatus.Firing) ? AlertStatus.Firing : AlertStatus.Resolved;

    public IEnumerable<NotifiedAlert> Firing => Alerts.Where(a => a.Status == AlertStatus.Firing);

    public IEnumerable<NotifiedAlert> Resolved => Alerts.Where(a => a.Status == AlertStatus.Resolved);

    /// <summary>
    /// The console page about this group, absolute under the server's external URL: the incident's
    /// page when all its alerts belong to one incident (label <c>incident</c>), the monitor's page
    /// when all come from one monitor (label <c>monitor</c>), the alert's page when the group has one
    /// alert, a channel's test notification the channel's deliveries, else the alerts page. Vigil differs from Alertmanager's <c>__alertmanagerURL</c>
    /// (<c>/#/alerts?receiver=…</c>) on purpose: "notification links point at console pages that
    /// exist" — Alertmanager's address 404s on Vigil.
    /// </summary>
    public string ConsoleUrl
    {
        get
        {
            var root = ExternalUrl.TrimEnd('/');
            if (Alerts.Count > 0 && Alerts.All(a => a.Labels.Get("alertname") == "IncidentUpdate"))
            {
                // An incident's status update carries the incident's page as its external URL.
                return root;
            }
            if (CommonLabels.Get("alertname") == TestChannel.AlertName && CommonLabels.Get("channel") is { Length: > 0 } channel)
            {
                // A channel's test notification: the page that shows its delivery attempts.
                return $"{root}/notifications?channel={Uri.EscapeDataString(channel)}";
            }
            if (CommonLabels.Get("incident") is { Length: > 0 } incident)
            {
                return $"{root}/incidents/{Uri.EscapeDataString(incident)}";
            }
            if (CommonLabels.Get("monitor") is { Length: > 0 } monitor)
            {
                return $"{root}/monitors/{Uri.EscapeDataString(monitor)}";
            }
            return Alerts.Count == 1 ? $"{root}/alerts/{Alerts[0].Fingerprint}" : $"{root}/alerts";
        }
    }

    /// <summary>Names listed in a title before they are only counted.</summary>
    private const int TitleNames = 3;

    /// <summary>
    /// Vigil's default title: <c>[FIRING:2] HighErrorRate — api</c> — status and firing count as in
    /// Alertmanager's <c>__subject</c>, then the alert name and the service (label <c>service</c>, else
    /// <c>job</c>) of the alerts it is about (the firing ones while any fires). Several names are
    /// listed (more than three are counted), several services counted: <c>[FIRING:3] HighErrorRate,
    /// HighLatency — 2 services</c>. Vigil differs from Alertmanager, whose subject copies every
    /// common label, on purpose: "alert titles are the alert name and the service, not every label".
    /// </summary>
    public string Title
    {
        get
        {
            var title = new StringBuilder("[").Append(Status == AlertStatus.Firing ? "FIRING" : "RESOLVED");
            if (Status == AlertStatus.Firing)
            {
                title.Append(':').Append(Firing.Count().ToString(CultureInfo.InvariantCulture));
            }
            title.Append(']');
            var about = Status == AlertStatus.Firing ? [.. Firing] : Alerts;
            var names = Distinct(about.Select(a => a.Labels.Get("alertname")));
            var services = Distinct(about.Select(a => a.Labels.Get("service") is { Length: > 0 } service ? service : a.Labels.Get("job")));
            if (names.Count > 0)
            {
                title.Append(' ').Append(names.Count <= TitleNames
                    ? string.Join(", ", names)
                    : string.Create(CultureInfo.InvariantCulture, $"{names.Count} alerts"));
            }
            if (services.Count > 0)
            {
                title.Append(" — ").Append(services.Count == 1
                    ? services[0]
                    : string.Create(CultureInfo.InvariantCulture, $"{services.Count} services"));
            }
            return title.ToString();
        }
    }

    private static List<string> Distinct(IEnumerable<string> values) =>
        [.. values.Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static Labels Common(IEnumerable<Labels> sets)
    {
        Labels? common = null;
        foreach (var set in sets)
        {
            common = common is null ? set : Labels.FromSorted([.. common.Where(l => set.Get(l.Name) == l.Value)]);
        }
        return common ?? Labels.Empty;
    }

    /// <summary>A label set as Prometheus's <c>LabelSet.String()</c> writes it: <c>{a="1", b="2"}</c>, values Go-quoted.</summary>
    /// <summary>The group key of the group with these labels on the route with this key.</summary>
    public static string KeyOf(string routeKey, Labels groupLabels) => $"{routeKey}:{FormatLabelSet(groupLabels)}";

    public static string FormatLabelSet(Labels labels) =>
        "{" + string.Join(", ", labels.Select(l => $"{l.Name}={GoJson.Quote(l.Value)}")) + "}";
}

/// <summary>Alertmanager's alert fingerprint: FNV-1a 64 over the sorted label names and values, each followed by 0xff, as 16 hex digits.</summary>
public static class AlertFingerprint
{
    public static string Of(Labels labels)
    {
        const ulong offset = 14695981039346656037;
        const ulong prime = 1099511628211;
        var hash = offset;
        void Add(string text)
        {
            foreach (var b in Encoding.UTF8.GetBytes(text))
            {
                hash = (hash ^ b) * prime;
            }
            hash = (hash ^ 0xff) * prime;
        }
        foreach (var label in labels)
        {
            Add(label.Name);
            Add(label.Value);
        }
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
