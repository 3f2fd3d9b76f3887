using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>
/// With <c>routing.maintenance_notices</c>, a window tells a low-priority route when it is scheduled
/// and when it starts — delivered to a real receiver, not muted by the window itself.
/// </summary>
public abstract class AnnounceMaintenanceTests : IAsyncLifetime
{
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            services: [{name: db}]
            channels:
              - {name: oncall, type: webhook, url: "{{receiver.Url}}/oncall"}
              - {name: low, type: webhook, url: "{{receiver.Url}}/low"}
            routing:
              maintenance_notices: true
              route:
                receiver: oncall
                group_by: [alertname, maintenance_window]
                group_wait: 0s
                group_interval: 1m
                routes:
                  - matchers: ['category="maintenance"']
                    receiver: low
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private async Task<List<string>> NoticesAsync(int count)
    {
        await server.Services.GetRequiredService<AnnounceMaintenance>().RunOnceAsync(CancellationToken.None);
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
        List<string> Got() => [.. receiver.Requests.Where(r => r.Path == "/low")
            .SelectMany(r => JsonDocument.Parse(r.Text).RootElement.GetProperty("alerts").EnumerateArray())
            .Where(a => a.GetProperty("status").GetString() == "firing")
            .Select(a => $"{a.GetProperty("labels").GetProperty("alertname").GetString()}: {a.GetProperty("annotations").GetProperty("summary").GetString()}")
            .Distinct()];
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Got().Count < count && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
        return Got();
    }

    [Fact]
    public async Task A_window_notifies_the_low_priority_route_when_it_is_scheduled_and_when_it_starts()
    {
        // The test clock starts on Monday 2026-11-02 09:00 UTC.
        var created = await server.Http.PostAsJsonAsync("/api/maintenance-windows", new { name = "db-upgrade", service = "db", starts_at = "2026-11-02T11:00:00Z", ends_at = "2026-11-02T12:00:00Z" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        Assert.Equal(["MaintenanceScheduled: Maintenance db-upgrade of db is scheduled: 2026-11-02 11:00 to 2026-11-02 12:00 UTC"], await NoticesAsync(1));

        server.Clock.SetUtcNow(DateTimeOffset.Parse("2026-11-02T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(
            [
                "MaintenanceScheduled: Maintenance db-upgrade of db is scheduled: 2026-11-02 11:00 to 2026-11-02 12:00 UTC",
                "MaintenanceStarted: Maintenance db-upgrade of db has started; it ends 2026-11-02 12:00 UTC",
            ],
            await NoticesAsync(2));
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/oncall");
        // The window mutes the database's alerts, not its own notice.
        var started = (await server.Http.GetFromJsonAsync<JsonElement>($"/api/alerts?matcher={Uri.EscapeDataString("alertname=\"MaintenanceStarted\"")}")).EnumerateArray().Single();
        Assert.Equal("active", started.GetProperty("state").GetString());
    }
}

public sealed class AnnounceMaintenanceOnSqlite : AnnounceMaintenanceTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AnnounceMaintenanceOnPostgres(PostgresServer postgres) : AnnounceMaintenanceTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
