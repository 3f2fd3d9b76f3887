using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.OnCall.Escalation;
using Vigil.Metrics;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;
using static Vigil.Tests.Notifications.DeliveryScenario;

namespace Vigil.Tests.Incidents;

/// <summary>
/// The loop every seed describes, through the real server on a fake clock: a rule fires → its route
/// opens a P1 incident → the primary on call is paged → nobody acknowledges for 5 minutes → the
/// secondary is paged → the secondary acknowledges from the page's link → escalation stops (the
/// manager is never paged) → the incident is resolved. The incident's timeline holds each step at
/// its time, and the time to acknowledge is reported.
/// </summary>
public abstract class IncidentEscalationEndToEndTests : IAsyncLifetime
{
    private static readonly Labels ErrorRate = Labels.Of("__name__", "checkout_error_rate", "service", "checkout");
    private NotificationReceiver receiver = null!;
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    private string Config => $$"""
        services:
          - name: checkout
        alerting:
          evaluation_interval: 15s
          rules:
            - name: HighErrorRate
              expr: checkout_error_rate > 0.05
              duration: 1 minute
              severity: critical
              summary: "Checkout error rate above 5%"
        channels:
          - name: slack
            type: webhook
            url: {{receiver.Url}}/slack
        routing:
          route:
            receiver: slack
            group_by: [alertname, service]
            group_wait: 30s
            routes:
              - matchers: ['severity="critical"']
                receiver: slack
                open_incident: true
        incidents:
          escalation_policy: default
        paging:
          external_url: https://vigil.example.com
        contacts:
          - name: manager
            webhook: {{receiver.Url}}/manager
        schedules:
          - name: primary
            time_zone: UTC
            layers:
              - rotation: weekly
                handoff: mon 09:00
                start: 2026-11-02
                participants: [alice]
          - name: secondary
            time_zone: UTC
            layers:
              - rotation: weekly
                handoff: mon 09:00
                start: 2026-11-02
                participants: [bob]
        escalation_policies:
          - name: default
            levels:
              - targets: [{schedule: primary}]
                delay: 5m
              - targets: [{schedule: secondary}]
                delay: 15m
              - targets: [{contact: manager}]
        """;

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), Config);
        foreach (var name in new[] { "alice", "bob" })
        {
            await server.CreateUserAsync(name, Role.Operator);
            var method = await server.Http.PostAsJsonAsync($"/api/users/{name}/contact-methods", new { type = "webhook", address = $"{receiver.Url}/{name}" });
            Assert.True(method.StatusCode == HttpStatusCode.Created, await method.Content.ReadAsStringAsync());
        }
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private List<NotificationReceiver.Received> To(string path) => [.. receiver.Requests.Where(r => r.Path == path)];

    private Task UntilReceivedAsync(string path) =>
        UntilAsync(() => Task.FromResult(To(path).Count > 0), () => Task.FromResult($"requests: {string.Join(", ", receiver.Requests.Select(r => r.Path))}"));

    [Fact]
    public async Task Rule_fires_P1_opens_primary_then_secondary_paged_acknowledgement_stops_escalation_and_the_timeline_holds_each_step()
    {
        // The error rate crosses 5 %: pending at the first evaluation, firing one minute later.
        for (var i = 0; i < 5; i++)
        {
            await server.SampleAsync(ErrorRate, 0.07);
            await server.AdvanceAndEvaluateAsync(TimeSpan.FromSeconds(15));
        }
        var firedAt = server.Alert("HighErrorRate")!.FiredAt!.Value;
        Assert.Equal(AlertPhase.Firing, server.Alert("HighErrorRate")!.Phase);

        await UntilAsync(async () => (await server.StoredAlertsAsync()).Count == 1);
        var received = (await server.StoredAlertsAsync()).Single().UpdatedAt;

        // The route's group waits 30 s from the alert's arrival, then the first notification opens the incident and pages.
        server.Clock.SetUtcNow(received.AddSeconds(30));
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
        var openedAt = server.Clock.GetUtcNow();
        var incident = Assert.Single(await server.Http.GetFromJsonAsync<JsonElement[]>("/api/incidents?status=open") ?? []);
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal("P1", incident.GetProperty("severity").GetString());
        await UntilReceivedAsync("/alice");
        await UntilReceivedAsync("/slack");

        // Four minutes without an acknowledgement: still only the primary.
        server.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(To("/bob"));
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await UntilReceivedAsync("/bob");
        Assert.Single(To("/alice"));

        // Bob acknowledges two minutes later from the link in his page.
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        var page = JsonDocument.Parse(To("/bob").Single().Body).RootElement.GetProperty("alerts")[0];
        var link = new Uri(page.GetProperty("annotations").GetProperty("acknowledge_url").GetString()!).AbsolutePath;
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.PostAsync(link, null)).StatusCode);
        var acknowledged = await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}");
        Assert.Equal("acknowledged", acknowledged.GetProperty("incident").GetProperty("status").GetString());

        // Escalation stopped: long after the secondary's 15 minutes, the manager was never paged.
        server.Clock.Advance(TimeSpan.FromMinutes(30));
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
        var stored = await server.QueryAsync(db => db.Set<StoredPage>().AsNoTracking().SingleAsync(p => p.Subject == $"incident:{id}"));
        Assert.Equal((PageStatus.Acknowledged, 1, (DateTimeOffset?)null), (stored.Status, stored.Level, stored.NextEscalationAt));
        Assert.Empty(To("/manager"));

        Assert.True((await server.Http.PostAsync($"/api/incidents/{id}/resolve", null)).IsSuccessStatusCode);
        var detail = await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}");
        Assert.Equal("resolved", detail.GetProperty("incident").GetProperty("status").GetString());
        // Opened at the flush, acknowledged 5 + 2 minutes later.
        Assert.Equal(7 * 60, detail.GetProperty("time_to_acknowledge_seconds").GetDouble());

        var timeline = detail.GetProperty("timeline").EnumerateArray()
            .Select(r => (Minutes: (r.GetProperty("at").GetDateTimeOffset() - openedAt).TotalMinutes, Kind: r.GetProperty("kind").GetString(), Text: r.GetProperty("text").GetString()!))
            .ToList();
        Assert.Equal((0, "alert"), timeline.Where(r => r.Kind == "alert").Select(r => (r.Minutes, r.Kind)).First());
        // The rule's alert resolves on its own once its samples go stale; that row may come and go with the clock.
        timeline = [.. timeline.Where(r => r.Kind != "alert")];
        Assert.Equal(
            [(0, "opened"), (0, "page"), (5, "page"), (5, "page"), (7, "acknowledged"), (37, "resolved")],
            timeline.Select(r => (r.Minutes, r.Kind)).ToList());
        Assert.Contains("alice", timeline[1].Text, StringComparison.Ordinal);
        Assert.Contains("level 2", timeline[2].Text, StringComparison.Ordinal);
        Assert.Contains("bob", timeline[3].Text, StringComparison.Ordinal);
        Assert.Contains("bob", timeline[4].Text, StringComparison.Ordinal);
    }
}

public sealed class IncidentEscalationEndToEndOnSqlite : IncidentEscalationEndToEndTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class IncidentEscalationEndToEndOnPostgres(PostgresServer postgres) : IncidentEscalationEndToEndTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
