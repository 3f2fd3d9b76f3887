using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Incidents;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Incidents;

/// <summary>
/// End to end on a fake clock: a firing alert goes through a route with <c>open_incident: true</c>
/// to one P1 incident; related alerts join it; it is acknowledged and resolved; its timeline holds
/// each step with its time and the time to acknowledge is reported.
/// </summary>
public abstract class IncidentFromAlertsTests : IAsyncLifetime
{
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            services:
              - name: checkout
            channels:
              - name: oncall
                type: webhook
                url: {{receiver.Url}}
            routing:
              route:
                receiver: oncall
                group_by: [alertname, service]
                group_wait: 30s
                group_interval: 1m
                routes:
                  - matchers: ['severity="critical"']
                    receiver: oncall
                    open_incident: true
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private async Task DispatchAtAsync(DateTimeOffset at)
    {
        server.Clock.SetUtcNow(at);
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
    }

    private Task FireAsync(string instance) =>
        server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [new IncomingAlert(Labels.Of("alertname", "HighErrorRate", "service", "checkout", "severity", "critical", "instance", instance), Labels.Of("summary", "Checkout error rate above 5%"), null, null, "http://vigil/rules", "rule")],
            CancellationToken.None);

    [Fact]
    public async Task A_firing_alert_opens_one_P1_incident_whose_timeline_holds_each_step_and_its_time_to_acknowledge()
    {
        var t0 = server.Clock.GetUtcNow();
        await FireAsync("a");
        await DispatchAtAsync(t0);
        Assert.Equal(0, await server.QueryAsync(db => db.Set<Incident>().CountAsync()));

        await DispatchAtAsync(t0.AddSeconds(30));
        server.Clock.SetUtcNow(t0.AddMinutes(1));
        await FireAsync("b");
        await FireAsync("a");
        await DispatchAtAsync(t0.AddSeconds(90));
        await DispatchAtAsync(t0.AddSeconds(150));

        var incident = Assert.Single(await server.Http.GetFromJsonAsync<JsonElement[]>("/api/incidents?status=open") ?? []);
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal("INC-2026-001", id);
        Assert.Equal("P1", incident.GetProperty("severity").GetString());
        Assert.Equal("Checkout error rate above 5%", incident.GetProperty("title").GetString());
        Assert.Equal("checkout", incident.GetProperty("services")[0].GetProperty("service").GetString());

        server.Clock.SetUtcNow(t0.AddMinutes(4));
        Assert.True((await server.Http.PostAsync($"/api/incidents/{id}/ack", null)).IsSuccessStatusCode);
        server.Clock.SetUtcNow(t0.AddMinutes(20));
        Assert.True((await server.Http.PostAsync($"/api/incidents/{id}/resolve", null)).IsSuccessStatusCode);

        var detail = await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}");
        // Opened at the first flush (t0 + 30 s), acknowledged at t0 + 4 min.
        Assert.Equal(210, detail.GetProperty("time_to_acknowledge_seconds").GetDouble());
        var timeline = detail.GetProperty("timeline").EnumerateArray()
            .Select(r => $"{(r.GetProperty("at").GetDateTimeOffset() - t0).TotalSeconds} {r.GetProperty("kind").GetString()}: {r.GetProperty("text").GetString()}").ToList();
        Assert.Equal(
            [
                "30 opened: Opened as P1 (alert); affects checkout (major_outage)",
                "30 alert: Alert HighErrorRate {instance=\"a\", service=\"checkout\", severity=\"critical\"} firing since 2026-11-02 09:00:00Z: Checkout error rate above 5%",
                "90 alert: Alert HighErrorRate {instance=\"b\", service=\"checkout\", severity=\"critical\"} firing since 2026-11-02 09:01:00Z: Checkout error rate above 5%",
                $"240 acknowledged: Acknowledged by {TestServer.AdminUsername} after 3 minutes",
                $"1200 resolved: Resolved by {TestServer.AdminUsername} after 19 minutes",
            ],
            timeline);
    }

    [Fact]
    public async Task The_alert_severity_label_picks_the_incident_severity()
    {
        var t0 = server.Clock.GetUtcNow();
        await server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [
                new IncomingAlert(Labels.Of("alertname", "DiskFilling", "service", "checkout", "severity", "critical"), Labels.Empty, null, null, "", "rule"),
            ],
            CancellationToken.None);
        await DispatchAtAsync(t0.AddSeconds(30));

        var incident = Assert.Single(await server.Http.GetFromJsonAsync<JsonElement[]>("/api/incidents") ?? []);
        Assert.Equal("P1", incident.GetProperty("severity").GetString());
        Assert.Equal("alert", incident.GetProperty("source").GetString());
    }
}

public sealed class IncidentFromAlertsOnSqlite : IncidentFromAlertsTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class IncidentFromAlertsOnPostgres(PostgresServer postgres) : IncidentFromAlertsTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
