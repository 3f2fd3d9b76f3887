using System.Text;
using System.Text.Json;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Channels;
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

    [Theory]
    [MemberData(nameof(Steps))]
    public void Slack_payload_is_alertmanagers_byte_for_byte(string step) =>
        AssertSameBytes($"slack/{step}.body.json", SlackPayload.Render(GroupOf(step), "#alerts"));

    [Theory]
    [MemberData(nameof(Steps))]
    public void Pagerduty_event_is_alertmanagers_byte_for_byte(string step) =>
        AssertSameBytes($"pagerduty/{step}.body.json", PagerDutyPayload.Render(GroupOf(step), "0123456789abcdef0123456789abcdef"));

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
        Assert.Equal("[FIRING:1] HighErrorRate api (critical 500)", group.Title);
    }
}
