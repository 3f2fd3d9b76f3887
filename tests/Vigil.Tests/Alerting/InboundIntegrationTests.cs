using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>PagerDuty Events v2 senders and JSON webhooks (Sentry-like) raise and resolve alerts with their integration's token.</summary>
public sealed class InboundIntegrationTests : IAsyncLifetime
{
    private const string RoutingKey = "pagerduty-routing-key-0123456789abcdef";
    private const string SentryToken = "sentry-webhook-token-0123456789";
    private TestServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(null, "alerting:\n  evaluation_interval: 1m\n");
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "pd.token"), RoutingKey);
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "sentry.token"), SentryToken);
        await server.WriteConfigAsync("""
            alerting:
              integrations:
                - name: legacy-monitoring
                  type: pagerduty
                  token_file: pd.token
                - name: sentry
                  type: webhook
                  token_file: sentry.token
                  mapping:
                    alertname: data.issue.title
                    labels: {project: data.issue.project.slug, level: data.issue.level}
                    annotations: {description: data.issue.culprit}
                    status: action
                    resolved_value: resolved
                    dedup_key: data.issue.id
            """);
        var reload = await server.Http.PostAsync("/-/reload", null);
        Assert.True(reload.IsSuccessStatusCode, await reload.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        server.Anonymous.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_PagerDuty_trigger_opens_an_alert_that_its_resolve_closes()
    {
        var trigger = await PostAsync("/api/integrations/pagerduty/enqueue", """
            {"routing_key":"KEY","event_action":"trigger","dedup_key":"disk-db1",
             "payload":{"summary":"Disk 95% full on db1","source":"db1","severity":"critical","component":"postgres",
                        "custom_details":{"free_gb":"2"}}}
            """.Replace("KEY", RoutingKey, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        Assert.Equal("""{"status":"success","message":"Event processed","dedup_key":"disk-db1"}""", await trigger.Content.ReadAsStringAsync());
        var open = Assert.Single(await server.StoredAlertsAsync());
        Assert.Equal(
            Labels.Of("alertname", "PagerDutyEvent", "component", "postgres", "dedup_key", "disk-db1", "integration", "legacy-monitoring", "severity", "critical", "source", "db1"),
            open.Labels);
        Assert.Equal(("pagerduty", "Disk 95% full on db1", "2"), (open.Source, open.Annotations.Get("summary"), open.Annotations.Get("free_gb")));
        server.Clock.Advance(TimeSpan.FromHours(1));
        Assert.False(open.IsResolvedAt(server.Clock.GetUtcNow()));

        var resolve = await PostAsync("/api/integrations/pagerduty/enqueue", $$"""{"routing_key":"{{RoutingKey}}","event_action":"resolve","dedup_key":"disk-db1"}""");

        Assert.Equal(HttpStatusCode.Accepted, resolve.StatusCode);
        Assert.Equal(server.Clock.GetUtcNow(), await server.ResolvedAtAsync(open.Labels));
    }

    [Theory]
    [InlineData("""{"routing_key":"wrong-key","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info"}}""", "'routing_key' is not the key of a pagerduty integration.")]
    [InlineData("""{"routing_key":"KEY","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"fatal"}}""", "'payload.severity' must be one of critical, error, warning, info.")]
    [InlineData("""{"routing_key":"KEY","event_action":"trigger","payload":{"source":"y","severity":"info"}}""", "'payload.summary' is missing or blank.")]
    [InlineData("""{"routing_key":"KEY","event_action":"snooze"}""", "'event_action' must be one of trigger, acknowledge, resolve.")]
    public async Task An_invalid_PagerDuty_event_is_refused_as_PagerDuty_refuses_it(string json, string error)
    {
        var response = await PostAsync("/api/integrations/pagerduty/enqueue", json.Replace("KEY", RoutingKey, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("invalid event", "Event object is invalid"), (body.GetProperty("status").GetString(), body.GetProperty("message").GetString()));
        Assert.Equal([error], body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(await server.StoredAlertsAsync());
    }

    [Fact]
    public async Task A_webhook_is_mapped_by_its_paths_and_resolved_by_its_status()
    {
        const string Issue = """{"action":"ACTION","data":{"issue":{"id":"4711","title":"TypeError in checkout","culprit":"cart.js","level":"error","project":{"slug":"shop"}}}}""";

        var created = await PostAsync($"/api/integrations/webhook/sentry?token={SentryToken}", Issue.Replace("ACTION", "created", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var open = Assert.Single(await server.StoredAlertsAsync());
        Assert.Equal(Labels.Of("alertname", "TypeError in checkout", "dedup_key", "4711", "integration", "sentry", "level", "error", "project", "shop"), open.Labels);
        Assert.Equal(("webhook:sentry", "cart.js"), (open.Source, open.Annotations.Get("description")));

        server.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"/api/integrations/webhook/sentry?token={SentryToken}", Issue.Replace("ACTION", "resolved", StringComparison.Ordinal))).StatusCode);
        Assert.Equal(server.Clock.GetUtcNow(), await server.ResolvedAtAsync(open.Labels));

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/api/integrations/webhook/sentry?token=nope", Issue)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync($"/api/integrations/webhook/other?token={SentryToken}", Issue)).StatusCode);
    }
}
