using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Probes;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Tests.Support;

namespace Vigil.Tests.Monitors;

/// <summary>The monitors API on a real server, run once against SQLite and once against PostgreSQL.</summary>
public abstract class MonitorApiTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: api
            environments: [{name: production}, {name: staging}]
          - name: web
            dependencies: [{service: api, critical: true}]
        monitors:
          - name: api-health
            type: http
            service: api
            environment: production
            url: http://127.0.0.1:1/health
            interval: 30s
            retries: 1
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private Task<string> SnapshotAsync() => server.QueryAsync(async db =>
        JsonSerializer.Serialize((await db.Set<StoredMonitor>().AsNoTracking().OrderBy(m => m.Name).ToListAsync()).Select(m => new { m.Name, m.DefinitionJson, m.Paused })));

    private async Task<JsonElement> PostAsync(string path, string? body = null)
    {
        var response = await server.Http.PostAsync(path, body is null ? null : Json(body));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetAsync(string path) => await server.Http.GetFromJsonAsync<JsonElement>(path);

    [Fact]
    public async Task Monitors_from_config_are_listed_read_only()
    {
        var list = await GetAsync("/api/monitors");

        var monitor = Assert.Single(list.EnumerateArray());
        Assert.Equal("api-health", monitor.GetProperty("name").GetString());
        Assert.True(monitor.GetProperty("read_only").GetBoolean());
        Assert.Equal("unknown", monitor.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.PutAsync("/api/monitors/api-health", Json("""{"type": "tcp", "service": "api", "host": "127.0.0.1", "port": 1}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.DeleteAsync("/api/monitors/api-health")).StatusCode);
    }

    [Fact]
    public async Task A_monitor_is_created_updated_and_deleted_through_the_api()
    {
        var created = await server.Http.PostAsync("/api/monitors", Json("""{"name": "db-port", "type": "tcp", "service": "api", "host": "127.0.0.1", "port": 5432, "interval": "10s"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/monitors/db-port", created.Headers.Location?.ToString());

        var updated = await server.Http.PutAsync("/api/monitors/db-port", Json("""{"type": "tcp", "service": "api", "host": "127.0.0.1", "port": 6432}"""));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(6432, (await GetAsync("/api/monitors/db-port")).GetProperty("definition").GetProperty("port").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync("/api/monitors/db-port")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/monitors/db-port")).StatusCode);
        var audit = (await server.AuditAsync()).Where(e => e.Resource == "monitor").ToList();
        Assert.Equal(["create db-port", "update db-port", "delete db-port"], audit.Select(e => $"{e.Action} {e.ResourceId}"));
        Assert.All(audit, e => Assert.Equal((TestServer.AdminUsername, "127.0.0.1"), (e.Username, e.IpAddress)));
    }

    [Theory]
    [InlineData("""{"name": "x", "type": "gopher", "service": "api"}""", "type")]
    [InlineData("""{"name": "x", "type": "http", "service": "api", "url": "http://127.0.0.1/", "interval": "500ms"}""", "interval")]
    [InlineData("""{"name": "x", "type": "http", "service": "api", "url": "not a url"}""", "url")]
    [InlineData("""{"name": "x", "type": "http", "service": "api", "url": "http://127.0.0.1/", "conditions": [{"body_regex": "(unclosed"}]}""", "conditions[0].body_regex")]
    [InlineData("""{"name": "x", "type": "http", "service": "ledger", "url": "http://127.0.0.1/"}""", "service")]
    [InlineData("""{"name": "x", "type": "http", "service": "api", "environment": "qa", "url": "http://127.0.0.1/"}""", "environment")]
    [InlineData("""{"name": "x", "type": "heartbeat", "service": "api", "cron": "every day"}""", "cron")]
    public async Task Bad_input_gets_a_problem_naming_the_field_and_changes_nothing(string body, string field)
    {
        var before = await SnapshotAsync();

        var response = await server.Http.PostAsync("/api/monitors", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error for '{field}' in {problem}");
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_heartbeat_is_up_on_time_down_when_late_and_down_with_its_log_after_a_fail_ping()
    {
        var created = await PostAsync("/api/monitors", """{"name": "nightly-backup", "type": "heartbeat", "service": "api", "period": "1h", "grace": "5m"}""");
        var ping = created.GetProperty("ping_url").GetString()!;

        Assert.Equal("OK\n", await server.Http.GetStringAsync(ping));
        Assert.Equal("up", (await GetAsync("/api/monitors/nightly-backup")).GetProperty("status").GetString());

        server.Clock.Advance(TimeSpan.FromMinutes(64));
        Assert.Equal("up", (await PostAsync("/api/monitors/nightly-backup/check")).GetProperty("status").GetString());

        server.Clock.Advance(TimeSpan.FromMinutes(2));
        var late = await PostAsync("/api/monitors/nightly-backup/check");
        Assert.Equal("down", late.GetProperty("status").GetString());
        Assert.StartsWith("late: last ping 1h6m ago", late.GetProperty("reason").GetString());

        Assert.Equal("OK\n", await server.Http.GetStringAsync(ping));
        Assert.Equal("up", (await GetAsync("/api/monitors/nightly-backup")).GetProperty("status").GetString());
        var fail = await server.Http.PostAsync(ping + "/fail", new StringContent("pg_dump: disk full"));
        Assert.Equal(HttpStatusCode.OK, fail.StatusCode);

        var monitor = await GetAsync("/api/monitors/nightly-backup");
        Assert.Equal("down", monitor.GetProperty("status").GetString());
        Assert.Equal("pg_dump: disk full", monitor.GetProperty("last_ping_log").GetString());
        Assert.EndsWith("pg_dump: disk full", monitor.GetProperty("reason").GetString());
        var states = await server.QueryAsync(db => db.Set<StateChange>().Where(s => s.Monitor == "nightly-backup").OrderBy(s => s.Id).Select(s => s.Status).ToListAsync());
        Assert.Equal([MonitorStatus.Up, MonitorStatus.Down, MonitorStatus.Up, MonitorStatus.Down], states);
    }

    [Fact]
    public async Task A_scheduled_check_that_read_the_pings_before_a_ping_was_saved_does_not_undo_it()
    {
        var created = await PostAsync("/api/monitors", """{"name": "nightly-backup", "type": "heartbeat", "service": "api", "period": "1h", "grace": "5m"}""");
        var ping = created.GetProperty("ping_url").GetString()!;
        Assert.Equal("OK\n", await server.Http.GetStringAsync(ping));
        server.Clock.Advance(TimeSpan.FromMinutes(66));
        var stored = await server.QueryAsync(db => db.Set<StoredMonitor>().AsNoTracking().SingleAsync(m => m.Name == "nightly-backup"));
        var definition = stored.Definition(server.Services.GetRequiredService<SecretProtector>());

        // The scheduler's check reads the pings (late: down), then a ping is saved and judged (up),
        // then the scheduler records what it read: the ping's newer state stands.
        var heartbeat = server.Services.GetServices<IMonitorProbe>().Single(p => p.Type == MonitorType.Heartbeat);
        var stale = await heartbeat.CheckAsync(definition, CancellationToken.None);
        Assert.Equal(MonitorStatus.Down, stale.Status);
        Assert.Equal("OK\n", await server.Http.GetStringAsync(ping));
        await server.Services.GetRequiredService<RecordCheckResult>().RecordAsync(definition, stale, TimeSpan.Zero, waitForSave: true);

        Assert.Equal("up", (await GetAsync("/api/monitors/nightly-backup")).GetProperty("status").GetString());
        // A check that reads the pings after that judges them afresh.
        server.Clock.Advance(TimeSpan.FromMinutes(66));
        Assert.Equal("down", (await PostAsync("/api/monitors/nightly-backup/check")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_ping_token_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/ping/0123456789abcdef0123")).StatusCode);
    }

    [Fact]
    public async Task A_failing_check_counts_after_its_retries_and_is_published_and_rolled_up()
    {
        var events = server.Services.GetRequiredService<MonitorEvents>();

        var first = await PostAsync("/api/monitors/api-health/check");
        var second = await PostAsync("/api/monitors/api-health/check");

        Assert.Equal(("down", "unknown"), (first.GetProperty("result").GetString(), first.GetProperty("status").GetString()));
        Assert.Equal(("connection refused", "down"), (second.GetProperty("reason").GetString(), second.GetProperty("status").GetString()));
        Assert.True(events.Reader.TryRead(out var published));
        Assert.Equal(("api-health", MonitorStatus.Down, "connection refused"), (published.Monitor, published.To, published.Reason));
        var api = await GetAsync("/api/services/api/status");
        Assert.Equal("major_outage", api.GetProperty("status").GetString());
        Assert.Equal("production", api.GetProperty("environments")[0].GetProperty("environment").GetString());
        var web = await GetAsync("/api/services/web/status");
        Assert.Equal("partial_outage", web.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Uptime_over_24_hours_with_36_minutes_down_is_97_5_percent()
    {
        await PostAsync("/api/monitors", """{"name": "checkout", "type": "heartbeat", "service": "web", "period": "1d"}""");
        server.Clock.Advance(TimeSpan.FromHours(30));
        var now = server.Clock.GetUtcNow();
        await server.QueryAsync(async db =>
        {
            db.AddRange(
                new StateChange { Monitor = "checkout", At = now.AddHours(-25), Status = MonitorStatus.Up, Reason = "status 200" },
                new StateChange { Monitor = "checkout", At = now.AddHours(-10), Status = MonitorStatus.Down, Reason = "status 503" },
                new StateChange { Monitor = "checkout", At = now.AddHours(-10).AddMinutes(36), Status = MonitorStatus.Up, Reason = "status 200" });
            return await db.SaveChangesAsync();
        });

        var uptime = await GetAsync("/api/monitors/checkout/uptime?window=24h");

        Assert.Equal(97.5, uptime.GetProperty("percent").GetDouble());
        Assert.Equal(36 * 60, uptime.GetProperty("down_seconds").GetDouble());
        Assert.Equal(90, uptime.GetProperty("days").GetArrayLength());
    }

    [Fact]
    public async Task The_console_lists_monitors_and_shows_status_uptime_and_a_latency_chart()
    {
        await PostAsync("/api/monitors/api-health/check");
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await PostAsync("/api/monitors/api-health/check");

        var list = await server.Http.GetStringAsync("/monitors");
        var page = await server.Http.GetStringAsync("/monitors/api-health");
        var catalog = await server.Http.GetStringAsync("/catalog");

        Assert.Contains("data-monitor=\"api-health\"", list);
        Assert.Contains("<svg class=\"latency\"", page);
        Assert.Contains("connection refused", page);
        Assert.Contains("major outage", catalog);
    }

    [Fact]
    public async Task A_paused_monitor_is_marked_and_resumes()
    {
        Assert.True((await PostAsync("/api/monitors/api-health/pause")).GetProperty("paused").GetBoolean());
        Assert.Equal("paused", (await GetAsync("/api/monitors/api-health")).GetProperty("status").GetString());

        Assert.False((await PostAsync("/api/monitors/api-health/resume")).GetProperty("paused").GetBoolean());
        Assert.Equal(["pause", "resume"], (await server.AuditAsync()).Where(e => e.Resource == "monitor").Select(e => e.Action));
    }
}

public sealed class MonitorApiOnSqlite : MonitorApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class MonitorApiOnPostgres(PostgresServer postgres) : MonitorApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
