using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Tests.Support;

namespace Vigil.Tests.Monitors;

/// <summary>
/// A monitor that recovers while PostgreSQL is down: its state change and the resolution of its
/// MonitorDown alert are kept and written once the database is back, at the time the recovery
/// happened, so its uptime and its alert are right afterwards; meanwhile the API answers 503
/// problem+json with Retry-After, not an empty 500. Its own PostgreSQL server: stopping the run's
/// shared one would fail every other PostgreSQL test.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private TargetServer target = null!;
    private TestServer server = null!;
    private volatile bool healthy;
    private const string IntegrationToken = "database-outage-test-token-0123456789";
    private readonly string tokenFile = Path.Combine(Path.GetTempPath(), $"vigil-outage-{Guid.NewGuid():N}.token");

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        await File.WriteAllTextAsync(tokenFile, IntegrationToken);
        target = await TargetServer.StartAsync(app => app.MapGet("/", () => healthy ? Results.Ok("fine") : Results.StatusCode(503)));
        server = await TestServer.StartAsync(await postgres.CreateDatabaseAsync(), $$"""
            services:
              - name: web
            monitors:
              - name: web
                type: http
                service: web
                url: {{target.Url}}/
                interval: 30s
                retries: 0
            alerting:
              integrations: [{name: prometheus, type: alertmanager, token_file: "{{tokenFile}}"}]
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await target.DisposeAsync();
        await postgres.DisposeAsync();
        File.Delete(tokenFile);
    }

    private MonitorState State => server.Services.GetRequiredService<MonitorStates>().Get("web");


    private async Task<bool> MonitorDownActiveAsync()
    {
        var alerts = await server.GetJsonAsync<JsonElement>("/api/v2/alerts?filter=alertname%3D%22MonitorDown%22");
        return alerts.EnumerateArray().Any(a => a.GetProperty("status").GetProperty("state").GetString() == "active");
    }

    [Fact]
    public async Task A_monitor_that_recovers_during_a_postgresql_outage_has_its_up_change_its_uptime_and_its_alert_resolved_afterwards()
    {
        await server.AdvanceUntilAsync(() => Task.FromResult(State.Status == MonitorStatus.Down), "the monitor goes down");
        var downAt = State.Since!.Value;
        await server.AdvanceUntilAsync(MonitorDownActiveAsync, "MonitorDown fires");

        await postgres.StopAsync();
        healthy = true;
        await server.AdvanceUntilAsync(() => Task.FromResult(State.Status == MonitorStatus.Up), "the monitor recovers in memory");
        var upAt = State.Since!.Value;

        // While the database is away the API says so, as problem+json the caller can act on.
        var health = await server.Http.GetAsync("/api/health");
        Assert.True(health.StatusCode == HttpStatusCode.ServiceUnavailable, $"{health.StatusCode}: {await health.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", health.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(health.Headers.RetryAfter);
        Assert.Contains("database", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        using var prometheus = new HttpClient { BaseAddress = server.BaseAddress };
        prometheus.DefaultRequestHeaders.Authorization = new("Bearer", IntegrationToken);
        var post = await prometheus.PostAsync("/api/v2/alerts", new StringContent("""[{"labels": {"alertname": "DuringOutage"}}]""", Encoding.UTF8, "application/json"));
        Assert.True(post.StatusCode == HttpStatusCode.ServiceUnavailable, $"{post.StatusCode}: {await post.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Exception", await post.Content.ReadAsStringAsync());

        // Ten seconds later the database is back: what happened meanwhile is written, with its own time.
        server.Clock.Advance(TimeSpan.FromSeconds(10));
        await postgres.StartAsync();
        await server.AdvanceUntilAsync(async () =>
        {
            var response = await server.Http.GetAsync("/api/monitors/web/uptime?window=24h");
            return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("up_seconds").GetDouble() > 0;
        }, "the Up state change is saved");
        await server.AdvanceUntilAsync(async () => !await MonitorDownActiveAsync(), "MonitorDown is resolved");

        var uptime = await server.GetJsonAsync<JsonElement>("/api/monitors/web/uptime?window=24h");
        Assert.Equal((upAt - downAt).TotalSeconds, uptime.GetProperty("down_seconds").GetDouble(), precision: 3);
        var monitor = await server.GetJsonAsync<JsonElement>("/api/monitors/web");
        Assert.Equal("up", monitor.GetProperty("status").GetString());
        Assert.Equal(upAt, monitor.GetProperty("status_since").GetDateTimeOffset());
    }
}
