using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Tests.Notifications;
using Vigil.Tests.Support;

namespace Vigil.Tests.Monitors;

/// <summary>
/// Issue 15, item 9: the monitors the operators' guides need (seed 003's <c>/api/health</c> and
/// <c>/api/system/info</c>), on a real server against a real loopback target whose answers the test changes.
/// </summary>
public abstract class MonitorGuideTests : IAsyncLifetime
{
    private TestServer server = null!;
    private TargetServer target = null!;
    private volatile string health = "{}";
    private volatile string systemInfo = "{}";

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        target = await TargetServer.StartAsync(app =>
        {
            app.MapGet("/api/health", () => Results.Text(health, "application/json"));
            app.MapGet("/api/system/info", () => Results.Text(systemInfo, "application/json"));
            app.MapGet("/broken", () => Results.StatusCode(503));
        });
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            services:
              - name: shopify
              - name: api
            monitors:
              - name: shopify-api
                type: dependency_health
                service: shopify
                url: {{target.Url}}/api/health
                components: {external_apis.shopify: degraded}
                retries: 0
              - name: api-dependencies
                type: dependency_health
                service: api
                url: {{target.Url}}/api/health
                retries: 0
              - name: system-info
                type: http
                service: api
                url: {{target.Url}}/api/system/info
                retries: 0
                conditions:
                  - {json_path: memory.used, less_than: "0.8 * memory.total"}
                  - {json_path: database.connections, between: [0, 18]}
                json_samples: {memory_used: memory.used, memory_total: memory.total, db_connections: database.connections, db_connections_max: database.max}
              - name: misconfigured
                type: http
                service: api
                url: {{target.Url}}/broken
                retries: 0
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await target.DisposeAsync();
    }

    private async Task<JsonElement> PostAsync(string path, string? body = null)
    {
        var response = await server.Http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetAsync(string path) => await server.Http.GetFromJsonAsync<JsonElement>(path);

    private async Task<(string Status, string Reason)> StateAsync(string monitor)
    {
        var m = await GetAsync($"/api/monitors/{monitor}");
        return (m.GetProperty("status").GetString()!, m.GetProperty("reason").GetString()!);
    }

    [Fact]
    public async Task A_dependency_health_field_mapped_to_one_service_takes_that_fields_status_alone_and_the_reason_follows_the_last_check()
    {
        health = """{"status": "healthy", "database": "connected", "redis": "degraded", "external_apis": {"clerk": "healthy", "shopify": "healthy"}}""";
        await PostAsync("/api/monitors/shopify-api/check");
        await PostAsync("/api/monitors/api-dependencies/check");

        // Redis is degraded: the api's monitor of every field says so; shopify's monitor of its own field does not.
        Assert.Equal(("up", "1 components healthy"), await StateAsync("shopify-api"));
        Assert.Equal("operational", (await GetAsync("/api/services/shopify/status")).GetProperty("status").GetString());
        Assert.Equal(("degraded", "redis: degraded"), await StateAsync("api-dependencies"));

        // Redis recovers as shopify degrades: both say shopify now, and nothing says redis.
        health = """{"status": "healthy", "database": "connected", "redis": "connected", "external_apis": {"clerk": "healthy", "shopify": "degraded"}}""";
        await PostAsync("/api/monitors/shopify-api/check");
        await PostAsync("/api/monitors/api-dependencies/check");

        Assert.Equal(("degraded", "external_apis.shopify: degraded"), await StateAsync("shopify-api"));
        Assert.Equal("degraded", (await GetAsync("/api/services/shopify/status")).GetProperty("status").GetString());
        Assert.Equal(("degraded", "external_apis.shopify: degraded"), await StateAsync("api-dependencies"));
    }

    [Fact]
    public async Task Json_conditions_compare_numbers_and_the_answers_numbers_become_samples()
    {
        systemInfo = """{"memory": {"used": 512, "total": 1024}, "cpu": {"usage": 45}, "database": {"connections": 12, "max": 20}, "uptime": 86400}""";
        Assert.Equal("up", (await PostAsync("/api/monitors/system-info/check")).GetProperty("status").GetString());

        await DeliveryScenario.UntilAsync(async () => (await SamplesAsync()).Count == 4, async () => string.Join(", ", await SamplesAsync()));
        Assert.Equal(["db_connections=12", "db_connections_max=20", "memory_total=1024", "memory_used=512"], await SamplesAsync());

        systemInfo = """{"memory": {"used": 900, "total": 1024}, "database": {"connections": 12, "max": 20}}""";
        var memory = await PostAsync("/api/monitors/system-info/check");
        Assert.Equal(("down", "body mismatch: memory.used is 900, expected < 819.2 (0.8 * memory.total)"), (memory.GetProperty("status").GetString(), memory.GetProperty("reason").GetString()));

        systemInfo = """{"memory": {"used": 512, "total": 1024}, "database": {"connections": 19, "max": 20}}""";
        var connections = await PostAsync("/api/monitors/system-info/check");
        Assert.Equal("body mismatch: database.connections is 19, expected between 0 and 18", connections.GetProperty("reason").GetString());
    }

    private async Task<List<string>> SamplesAsync()
    {
        var answer = await GetAsync("/prometheus/api/v1/query?query=" + Uri.EscapeDataString("vigil_monitor_json_value{monitor=\"system-info\"}"));
        return [.. answer.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => $"{r.GetProperty("metric").GetProperty("field").GetString()}={r.GetProperty("value")[1].GetString()}").Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Bad_numeric_conditions_and_sample_paths_are_refused_naming_the_field()
    {
        var response = await server.Http.PostAsync("/api/monitors", new StringContent("""
            {"name": "x", "type": "http", "service": "api", "url": "http://127.0.0.1:1/",
             "conditions": [{"json_path": "memory.used", "less_than": "0.8 of memory.total"}],
             "json_samples": {"memory used": "memory.used"}}
            """, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("conditions[0].less_than", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("json_samples.memory used", out _), errors.ToString());
    }

    [Fact]
    public async Task The_list_shows_a_heartbeats_last_ping_not_its_last_state_change()
    {
        var created = await PostAsync("/api/monitors", """{"name": "nightly-export", "type": "heartbeat", "service": "api", "period": "1h"}""");
        var ping = created.GetProperty("ping_url").GetString()!;
        var first = server.Clock.GetUtcNow();
        Assert.Equal("OK\n", await server.Http.GetStringAsync(ping));
        server.Clock.Advance(TimeSpan.FromMinutes(30));
        var second = server.Clock.GetUtcNow();
        Assert.Equal("OK\n", await server.Http.GetStringAsync(ping));

        var monitor = await GetAsync("/api/monitors/nightly-export");
        Assert.Equal(first, monitor.GetProperty("status_since").GetDateTimeOffset());
        Assert.Equal(second, monitor.GetProperty("last_ping_at").GetDateTimeOffset());
        var list = await server.Http.GetStringAsync("/monitors");
        Assert.Contains(second.ToString("u", System.Globalization.CultureInfo.InvariantCulture), list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_monitor_that_was_only_ever_down_and_then_paused_has_no_uptime_figure_instead_of_90_days_of_zero()
    {
        Assert.Equal("down", (await PostAsync("/api/monitors/misconfigured/check")).GetProperty("status").GetString());
        server.Clock.Advance(TimeSpan.FromMinutes(10));
        await PostAsync("/api/monitors/misconfigured/pause");
        server.Clock.Advance(TimeSpan.FromDays(1));

        var uptime = await GetAsync("/api/monitors/misconfigured/uptime?window=90d");

        Assert.Equal(JsonValueKind.Null, uptime.GetProperty("percent").ValueKind);
        Assert.Equal(0, uptime.GetProperty("down_seconds").GetDouble());
        Assert.All(uptime.GetProperty("days").EnumerateArray(), d => Assert.Equal(JsonValueKind.Null, d.GetProperty("percent").ValueKind));

        // Resumed, it counts again, and so does the down time it had.
        await PostAsync("/api/monitors/misconfigured/resume");
        var api = await GetAsync("/api/monitors/misconfigured/uptime?window=90d");
        Assert.Equal(0, api.GetProperty("percent").GetDouble());
        Assert.Equal(600, api.GetProperty("down_seconds").GetDouble());
    }
}

public sealed class MonitorGuideOnSqlite : MonitorGuideTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class MonitorGuideOnPostgres(PostgresServer postgres) : MonitorGuideTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
