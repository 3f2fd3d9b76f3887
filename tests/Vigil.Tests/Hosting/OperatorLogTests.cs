using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Notifications.Delivery;
using Vigil.Tests.Notifications;
using Vigil.Tests.Support;

namespace Vigil.Tests.Hosting;

/// <summary>
/// What an operator reads in the log of one outage: the monitor going down, its alert firing, the
/// incident opened, the notification delivered (and, for a channel that cannot be reached, failed
/// and given up), the incident acknowledged and resolved, the monitor back up and the alert resolved.
/// Per-request HttpClient lines are not among them.
/// </summary>
public abstract class OperatorLogTests : IAsyncLifetime
{
    private const string Token = "operator-log-test-token";
    private readonly LogCapture log = new();
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        var closed = LoopbackPorts.Free();
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            services:
              - name: worker
            monitors:
              - name: nightly-backup
                type: heartbeat
                service: worker
                token: {{Token}}
                period: 1h
                grace: 30m
            channels:
              - name: sink
                type: webhook
                url: {{receiver.Url}}/alerts
              - name: unreachable
                type: webhook
                url: http://127.0.0.1:{{closed}}/alerts
            notifications:
              initial_backoff: 10s
              retry_deadline: 1m
            routing:
              route:
                receiver: sink
                group_by: [alertname, service]
                group_wait: 10s
                routes:
                  - matchers: ['severity="critical"']
                    receiver: sink
                    open_incident: true
            """, services => services.AddSingleton<ILoggerProvider>(log));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private Task UntilLoggedAsync(string eventName, string contains) =>
        DeliveryScenario.UntilAsync(
            () => Task.FromResult(log.Lines(eventName).Any(l => l.Contains(contains, StringComparison.Ordinal))),
            () => Task.FromResult(string.Join("\n", log.Entries.Select(e => $"{e.Level} {e.EventName} {e.Message}"))));

    [Fact]
    public async Task One_outage_writes_one_line_for_each_thing_an_operator_needs_to_know()
    {
        var t0 = server.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.PostAsync($"/ping/{Token}/fail", new StringContent("disk full"))).StatusCode);
        await UntilLoggedAsync("MonitorStateChanged", "Monitor nightly-backup of service worker is Down (was ");
        await UntilLoggedAsync("AlertFiring", "Alert HeartbeatMissed is firing: {alertname=\"HeartbeatMissed\", monitor=\"nightly-backup\", service=\"worker\", severity=\"critical\"}");
        Assert.Equal(LogLevel.Warning, log.Entries.First(e => e.EventName == "MonitorStateChanged").Level);

        server.Clock.SetUtcNow(t0.AddSeconds(10));
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
        server.Services.GetRequiredService<OutboxSender>().Wake();
        await UntilLoggedAsync("NotificationDelivered", "delivered to channel sink (attempt 1)");
        var opened = Assert.Single(log.Lines("IncidentOpened"));
        Assert.StartsWith("Incident INC-2026-001 opened by ", opened);
        Assert.EndsWith("as P1: Heartbeat nightly-backup missed", opened);
        Assert.Single(receiver.Requests);

        Assert.True((await server.Http.PostAsync("/api/incidents/INC-2026-001/ack", null)).IsSuccessStatusCode);
        Assert.Equal($"Incident INC-2026-001 acknowledged by {TestServer.AdminUsername}: Heartbeat nightly-backup missed", Assert.Single(log.Lines("IncidentAcknowledged")));
        Assert.True((await server.Http.PostAsync("/api/incidents/INC-2026-001/resolve", null)).IsSuccessStatusCode);
        Assert.Equal($"Incident INC-2026-001 resolved by {TestServer.AdminUsername}: Heartbeat nightly-backup missed", Assert.Single(log.Lines("IncidentResolved")));

        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync($"/ping/{Token}")).StatusCode);
        await UntilLoggedAsync("MonitorStateChanged", "Monitor nightly-backup of service worker is Up (was Down)");
        await UntilLoggedAsync("AlertResolved", "Alert HeartbeatMissed is resolved: ");

        Assert.DoesNotContain(log.Entries, e => e.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_notification_that_cannot_be_delivered_logs_each_failure_and_then_that_it_was_given_up()
    {
        var queued = await DeliveryScenario.TestAsync(server.Http, "unreachable");
        server.Services.GetRequiredService<OutboxSender>().Wake();
        await UntilLoggedAsync("NotificationFailed", $"Notification {queued.Id} to channel unreachable failed (attempt 1), next attempt at ");
        Assert.Equal(LogLevel.Warning, log.Entries.First(e => e.EventName == "NotificationFailed").Level);

        DeliveryScenario.Advance(server, TimeSpan.FromMinutes(2));
        await UntilLoggedAsync("NotificationGivenUp", $"Notification {queued.Id} to channel unreachable given up after 2 attempts: ");
        Assert.Equal(LogLevel.Error, log.Entries.First(e => e.EventName == "NotificationGivenUp").Level);
        Assert.Empty(log.Lines("NotificationDelivered"));
    }
}

public sealed class OperatorLogOnSqlite : OperatorLogTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class OperatorLogOnPostgres(PostgresServer postgres) : OperatorLogTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
