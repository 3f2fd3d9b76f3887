using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Features.Alerting;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>Monitors raise alerts without PromQL: a missed heartbeat fires, and resolves when the heartbeat is back.</summary>
public sealed class MonitorAlertTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(null, """
        services:
          - name: api
            environments: [{name: production}]
        alerting:
          monitor_rules:
            severity: page
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<JsonElement> PostAsync(string path, string json = "{}")
    {
        var response = await server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<StoredAlert> AlertWhenAsync(Func<StoredAlert, bool> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while (true)
        {
            var alerts = await server.StoredAlertsAsync();
            if (alerts.Count == 1 && condition(alerts[0]))
            {
                return alerts[0];
            }
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"stored alerts: {string.Join("; ", alerts.Select(a => $"{a.LabelsJson} {a.StartsAt:O}..{a.EndsAt:O}"))}");
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
    }

    [Fact]
    public async Task A_missed_heartbeat_fires_HeartbeatMissed_and_resolves_when_it_pings_again()
    {
        var created = await PostAsync("/api/monitors", """{"name": "nightly-backup", "type": "heartbeat", "service": "api", "environment": "production", "period": "1h", "grace": "5m"}""");
        var ping = created.GetProperty("ping_url").GetString()!;
        await server.Http.GetStringAsync(ping);

        server.Clock.Advance(TimeSpan.FromMinutes(66));
        var missedAt = server.Clock.GetUtcNow();
        await PostAsync("/api/monitors/nightly-backup/check");

        var firing = await AlertWhenAsync(a => !a.IsResolvedAt(server.Clock.GetUtcNow()));
        Assert.Equal(
            Labels.Of("alertname", "HeartbeatMissed", "environment", "production", "monitor", "nightly-backup", "service", "api", "severity", "page"),
            firing.Labels);
        Assert.Equal(("monitor", missedAt), (firing.Source, firing.StartsAt));

        server.Clock.Advance(TimeSpan.FromMinutes(1));
        var backAt = server.Clock.GetUtcNow();
        await server.Http.GetStringAsync(ping);

        // Resolved: still stored with its end, or already notified and removed with its history kept.
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
        DateTimeOffset? resolvedAt;
        while ((resolvedAt = await server.ResolvedAtAsync(firing.Labels)) is null && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
        Assert.Equal(backAt, resolvedAt);
    }

    [Fact]
    public async Task A_certificate_with_fewer_days_left_than_configured_fires_CertificateExpiring()
    {
        await server.SampleAsync(Labels.Of("__name__", "vigil_monitor_cert_expiry_seconds", "service", "api", "monitor", "api-cert", "environment", "production"), 10 * 86400);
        await server.SampleAsync(Labels.Of("__name__", "vigil_monitor_cert_expiry_seconds", "service", "api", "monitor", "web-cert", "environment", "production"), 60 * 86400);

        await server.AdvanceAndEvaluateAsync(TimeSpan.FromMinutes(1));

        var alert = Assert.Single(await server.StoredAlertsAsync());
        Assert.Equal(
            Labels.Of("alertname", "CertificateExpiring", "environment", "production", "monitor", "api-cert", "service", "api", "severity", "warning"),
            alert.Labels);
        Assert.Equal(("monitor", "The certificate of api-cert expires in 10d 0h 0m 0s"), (alert.Source, alert.Annotations.Get("summary")));
    }
}
