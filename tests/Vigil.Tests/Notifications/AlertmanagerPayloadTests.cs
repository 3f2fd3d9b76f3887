using System.Text;
using System.Text.Json;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Templates;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Notifications;

/// <summary>
/// Vigil's notifications are byte for byte what Alertmanager 0.25 sent for the same alerts
/// (captured in shared/fixtures/alertmanager-0.25: two alerts firing, one resolved, both resolved).
/// </summary>
public class AlertmanagerPayloadTests
{
    private static string Fixtures => Path.Combine(RepositoryPaths.Shared, "fixtures", "alertmanager-0.25");

    public static TheoryData<string> Steps => new() { "step1-firing", "step2-one-resolved", "step3-resolved" };

    /// <summary>The alerts of one step, as the alerting slice will hand them over (read from the capture's data).</summary>
    internal static NotificationGroup GroupOf(string step)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "webhook", $"{step}.body.json")));
        var alerts = doc.RootElement.GetProperty("alerts").EnumerateArray().Select(a => new NotifiedAlert(
            a.GetProperty("status").GetString() == "firing" ? AlertStatus.Firing : AlertStatus.Resolved,
            LabelsOf(a.GetProperty("labels")),
            LabelsOf(a.GetProperty("annotations")),
            a.GetProperty("startsAt").GetDateTimeOffset(),
            a.GetProperty("endsAt").GetString() == "0001-01-01T00:00:00Z" ? null : a.GetProperty("endsAt").GetDateTimeOffset(),
            a.GetProperty("generatorURL").GetString()!));
        return new NotificationGroup("oncall", "{}", Labels.Of("alertname", "HighErrorRate", "job", "api"), alerts, "http://alertmanager.vigil.example:9093");
    }

    private static Labels LabelsOf(JsonElement map) =>
        Labels.From(map.EnumerateObject().Select(p => new Label(p.Name, p.Value.GetString()!)));

    private static void AssertSameBytes(string fixture, byte[] actual)
    {
        var expected = File.ReadAllBytes(Path.Combine(Fixtures, fixture));
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Webhook_payload_is_alertmanagers_version_4_byte_for_byte(string step) =>
        AssertSameBytes($"webhook/{step}.body.json", WebhookPayload.Render(GroupOf(step)));

    /// <summary>
    /// Alertmanager's captured payload with its title and link replaced by Vigil's, every other byte
    /// kept. Vigil differs there on purpose (issue 15): "alert titles are the alert name and the
    /// service, not every label", and "notification links point at console pages that exist"
    /// (Alertmanager's <c>/#/alerts?receiver=…</c> 404s on Vigil).
    /// </summary>
    /// <param name="slackText">Vigil's Slack text where it is not Alertmanager's empty one (ChannelText.Details).</param>
    internal static string AlertmanagersWithVigilsTitleAndLink(string fixture, NotificationGroup group, string? slackText = null)
    {
        var text = File.ReadAllText(Path.Combine(Fixtures, fixture));
        using var doc = JsonDocument.Parse(text);
        var (title, link) = fixture.StartsWith("slack/", StringComparison.Ordinal)
            ? (doc.RootElement.GetProperty("attachments")[0].GetProperty("title").GetString()!, doc.RootElement.GetProperty("attachments")[0].GetProperty("title_link").GetString()!)
            : (doc.RootElement.GetProperty("payload").GetProperty("summary").GetString()!, doc.RootElement.GetProperty("client_url").GetString()!);
        Assert.Contains("/#/alerts?receiver=", link, StringComparison.Ordinal);
        text = text.Replace(title, group.Title, StringComparison.Ordinal).Replace(link, group.ConsoleUrl, StringComparison.Ordinal);
        return slackText is null ? text
            : text.Replace("\"text\":\"\"", "\"text\":" + Encoding.UTF8.GetString(GoJson.Write(json => json.WriteStringValue(slackText))).TrimEnd('\n'), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Slack_payload_is_alertmanagers_byte_for_byte_but_for_vigils_title_and_link(string step) =>
        Assert.Equal(AlertmanagersWithVigilsTitleAndLink($"slack/{step}.body.json", GroupOf(step)), Encoding.UTF8.GetString(SlackPayload.Render(GroupOf(step), "#alerts")));

    [Theory]
    [MemberData(nameof(Steps))]
    public void Pagerduty_event_is_alertmanagers_byte_for_byte_but_for_vigils_summary_and_link(string step) =>
        Assert.Equal(AlertmanagersWithVigilsTitleAndLink($"pagerduty/{step}.body.json", GroupOf(step)), Encoding.UTF8.GetString(PagerDutyPayload.Render(GroupOf(step), "0123456789abcdef0123456789abcdef")));

    [Fact]
    public void Links_point_at_the_console_alerts_page_under_the_external_url()
    {
        Assert.Equal("http://alertmanager.vigil.example:9093/alerts", GroupOf("step1-firing").ConsoleUrl);
        var one = GroupOf("step2-one-resolved").Alerts[0];
        var single = new NotificationGroup("oncall", "{}", Labels.Empty, [one], "http://vigil.example/");
        Assert.Equal($"http://vigil.example/alerts/{one.Fingerprint}", single.ConsoleUrl);
    }

    [Fact]
    public void Links_of_a_monitors_or_an_incidents_alerts_point_at_its_page()
    {
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var monitor = new NotifiedAlert(AlertStatus.Firing, Labels.Of("alertname", "MonitorDown", "monitor", "checkout port", "service", "checkout"), Labels.Empty, at, null, "");
        var incident = new NotifiedAlert(AlertStatus.Firing, Labels.Of("alertname", "IncidentSlaAtRisk", "incident", "INC-7"), Labels.Empty, at, null, "");

        Assert.Equal("http://vigil.example/monitors/checkout%20port", new NotificationGroup("r", "{}", Labels.Empty, [monitor], "http://vigil.example").ConsoleUrl);
        Assert.Equal("http://vigil.example/incidents/INC-7", new NotificationGroup("r", "{}", Labels.Empty, [incident], "http://vigil.example").ConsoleUrl);
    }

    [Fact]
    public void Titles_name_the_alerts_and_count_them_when_there_are_several_names_or_services()
    {
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        NotifiedAlert Alert(string name, string service, AlertStatus status = AlertStatus.Firing) =>
            new(status, Labels.Of("alertname", name, "service", service, "severity", "critical"), Labels.Empty, at, status == AlertStatus.Resolved ? at : null, "");
        NotificationGroup GroupOf(params NotifiedAlert[] alerts) => new("r", "{}", Labels.Empty, alerts, "http://vigil.example");

        Assert.Equal("[FIRING:3] HighErrorRate, HighLatency — api", GroupOf(Alert("HighErrorRate", "api"), Alert("HighLatency", "api"), Alert("HighErrorRate", "api")).Title);
        Assert.Equal("[FIRING:2] HighErrorRate — 2 services", GroupOf(Alert("HighErrorRate", "api"), Alert("HighErrorRate", "web")).Title);
        Assert.Equal("[FIRING:4] 4 alerts — api", GroupOf(Alert("A", "api"), Alert("B", "api"), Alert("C", "api"), Alert("D", "api")).Title);
        Assert.Equal("[FIRING:1] HighErrorRate — api", GroupOf(Alert("HighErrorRate", "api"), Alert("HighLatency", "web", AlertStatus.Resolved)).Title);
        Assert.Equal("[RESOLVED] HighErrorRate, HighLatency — 2 services", GroupOf(Alert("HighErrorRate", "api", AlertStatus.Resolved), Alert("HighLatency", "web", AlertStatus.Resolved)).Title);
    }

    [Fact]
    public void Fingerprints_are_alertmanagers()
    {
        var labels = Labels.Of("alertname", "HighErrorRate", "instance", "api-1:8080", "job", "api", "severity", "critical", "status", "500");

        Assert.Equal("80e1ae07d31c99e7", AlertFingerprint.Of(labels));
    }

    [Fact]
    public void The_pagerduty_dedup_key_stays_the_same_from_trigger_to_resolve()
    {
        Assert.Equal(PagerDutyPayload.DedupKey(GroupOf("step1-firing")), PagerDutyPayload.DedupKey(GroupOf("step3-resolved")));
        Assert.StartsWith("00ca1fc9cd020071", PagerDutyPayload.DedupKey(GroupOf("step1-firing")));
    }

    [Fact]
    public void A_group_with_one_alert_still_firing_is_firing_and_titled_with_the_firing_count()
    {
        var group = GroupOf("step2-one-resolved");

        Assert.Equal(AlertStatus.Firing, group.Status);
        // Alertmanager's subject here is "[FIRING:1] HighErrorRate api (critical 500)"; Vigil's title is
        // the alert name and the service (job when no service label), not every label (issue 15).
        Assert.Equal("[FIRING:1] HighErrorRate — api", group.Title);
    }
}
