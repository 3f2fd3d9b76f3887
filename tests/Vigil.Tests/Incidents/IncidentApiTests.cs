using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting;
using Vigil.Features.Incidents;
using Vigil.Features.Notifications.Outbox;
using Vigil.Features.OnCall.Escalation;
using Vigil.Tests.Support;

namespace Vigil.Tests.Incidents;

/// <summary>The incidents API on a real server, once against SQLite and once against PostgreSQL.</summary>
public abstract class IncidentApiTests : IAsyncLifetime
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
              - name: api
            channels:
              - name: incidents-slack
                type: webhook
                url: {{receiver.Url}}
            routing:
              route:
                receiver: incidents-slack
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> PostAsync(string path, string body = "{}")
    {
        var response = await server.Http.PostAsync(path, Json(body));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetAsync(string path) => await server.Http.GetFromJsonAsync<JsonElement>(path);

    private async Task<string> OpenAsync(string title = "Checkout returns 500", string severity = "P1") =>
        (await PostAsync("/api/incidents", $$"""{"title": "{{title}}", "severity": "{{severity}}", "services": [{"service": "checkout", "impact": "major_outage"}]}""")).GetProperty("id").GetString()!;

    private async Task<List<string>> TimelineAsync(string id) =>
        [.. (await GetAsync($"/api/incidents/{id}")).GetProperty("timeline").EnumerateArray().Select(r => $"{r.GetProperty("kind").GetString()}: {r.GetProperty("text").GetString()}")];

    [Fact]
    public async Task Incidents_get_human_ids_numbered_per_year()
    {
        Assert.Equal("INC-2026-001", await OpenAsync());
        Assert.Equal("INC-2026-002", await OpenAsync("Slow search", "P3"));
        server.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 5, 0, TimeSpan.Zero));
        Assert.Equal("INC-2027-001", await OpenAsync("New year", "P4"));

        var list = await GetAsync("/api/incidents?severity=P3");
        Assert.Equal(["INC-2026-002"], list.EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(["open INC-2026-001", "open INC-2026-002", "open INC-2027-001"], (await server.AuditAsync()).Where(e => e.Resource == "incident").Select(e => $"{e.Action} {e.ResourceId}"));
    }

    [Fact]
    public async Task Two_responders_opening_at_once_get_different_ids()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => OpenAsync($"Parallel {i}")));

        Assert.Equal(Enumerable.Range(1, 8).Select(n => $"INC-2026-{n:D3}"), ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_lifecycle_records_each_step_and_time_to_acknowledge()
    {
        var id = await OpenAsync();
        server.Clock.Advance(TimeSpan.FromMinutes(4));
        await PostAsync($"/api/incidents/{id}/ack");
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await PostAsync($"/api/incidents/{id}/transition", """{"status": "investigating", "note": "Looking at the DB pool"}""");
        await PostAsync($"/api/incidents/{id}/transition", """{"status": "identified"}""");
        server.Clock.Advance(TimeSpan.FromMinutes(40));
        await PostAsync($"/api/incidents/{id}/resolve");

        var detail = await GetAsync($"/api/incidents/{id}");
        Assert.Equal("resolved", detail.GetProperty("incident").GetProperty("status").GetString());
        Assert.Equal(240, detail.GetProperty("time_to_acknowledge_seconds").GetDouble());
        Assert.Equal(45 * 60, detail.GetProperty("time_to_resolve_seconds").GetDouble());
        Assert.Equal(["met", "met"], detail.GetProperty("sla").EnumerateArray().Select(t => t.GetProperty("state").GetString()));
        Assert.Equal(
            [
                "opened: Opened as P1 (manual); affects checkout (major_outage)",
                $"acknowledged: Acknowledged by {TestServer.AdminUsername} after 4 minutes",
                "status: acknowledged → investigating",
                "note: Looking at the DB pool",
                "status: investigating → identified",
                $"resolved: Resolved by {TestServer.AdminUsername} after 45 minutes",
            ],
            await TimelineAsync(id));
        Assert.Equal(["open", "acknowledge", "transition", "transition", "resolve"], (await server.AuditAsync()).Where(e => e.Resource == "incident").Select(e => e.Action));
    }

    [Fact]
    public async Task A_resolved_incident_does_not_go_back_to_investigating_without_reopening()
    {
        var id = await OpenAsync();
        await PostAsync($"/api/incidents/{id}/resolve");
        var before = await TimelineAsync(id);

        var response = await server.Http.PostAsync($"/api/incidents/{id}/transition", Json("""{"status": "investigating"}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("reopen", problem.GetProperty("errors").GetProperty("status")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TimelineAsync(id));
        Assert.Equal("resolved", (await GetAsync($"/api/incidents/{id}")).GetProperty("incident").GetProperty("status").GetString());

        await PostAsync($"/api/incidents/{id}/reopen", """{"status": "investigating"}""");
        var reopened = (await GetAsync($"/api/incidents/{id}")).GetProperty("incident");
        Assert.Equal("investigating", reopened.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("resolved_at").ValueKind);
    }

    [Theory]
    [InlineData("""{"severity": "P1"}""", "title")]
    [InlineData("""{"title": "x", "severity": "SEV9"}""", "severity")]
    [InlineData("""{"title": "x", "services": [{"service": "checkout", "impact": "meltdown"}]}""", "services[0].impact")]
    public async Task Bad_input_names_the_field_and_opens_nothing(string body, string field)
    {
        var response = await server.Http.PostAsync("/api/incidents", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0, await server.QueryAsync(db => db.Set<Incident>().CountAsync()));
    }

    [Fact]
    public async Task An_sla_target_about_to_be_missed_raises_an_alert_resolved_when_met()
    {
        var id = await OpenAsync();
        var timers = server.Services.GetRequiredService<WatchIncidentTimers>();
        server.Clock.Advance(TimeSpan.FromMinutes(11));
        await timers.RunOnceAsync(CancellationToken.None);
        Assert.Empty(await SlaAlertsAsync());

        // 12 of the P1's 15 response minutes: 80 % spent.
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await timers.RunOnceAsync(CancellationToken.None);
        var alert = Assert.Single(await SlaAlertsAsync());
        Assert.Equal(id, alert.Labels.Get("incident"));
        Assert.Equal("response", alert.Labels.Get("target"));
        Assert.False(alert.IsResolvedAt(server.Clock.GetUtcNow()));

        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await PostAsync($"/api/incidents/{id}/ack");
        await timers.RunOnceAsync(CancellationToken.None);
        Assert.True(Assert.Single(await SlaAlertsAsync()).IsResolvedAt(server.Clock.GetUtcNow()));
        Assert.Contains("sla: Response target (15 minutes) at risk: due 2026-11-02 09:15:00Z", await TimelineAsync(id));
    }

    private Task<List<StoredAlert>> SlaAlertsAsync() =>
        server.QueryAsync(async db => (await db.Set<StoredAlert>().AsNoTracking().ToListAsync()).Where(a => a.Labels.Get("alertname") == "IncidentSlaAtRisk").ToList());

    [Fact]
    public async Task A_status_update_goes_to_its_channel_and_its_promised_next_update_reminds_the_commander()
    {
        var id = await OpenAsync();
        await server.Http.PutAsync($"/api/incidents/{id}/roles", Json("""{"commander": "alice", "responders": ["bob"]}"""));
        await PostAsync($"/api/incidents/{id}/updates", """{"status": "investigating", "message": "Identified database connection issue", "eta": "30 minutes", "next_update": "15m", "channels": ["incidents-slack"]}""");

        var message = Assert.Single(await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().ToListAsync()));
        Assert.Equal("incidents-slack", message.Channel);
        var text = NotificationRequest.FromJson(message.Payload).Alerts[0].Annotations["description"];
        Assert.Equal($"📊 INCIDENT UPDATE\nIncident: #{id}\nStatus: Investigating\nProgress: Identified database connection issue\nETA: 30 minutes\nNext Update: 15 minutes", text);
        var reader = server.Services.GetRequiredService<IIncidentReader>();
        var view = Assert.Single(await reader.ListAsync(server.Clock.GetUtcNow(), CancellationToken.None));
        // Other areas (the status page) read the update's own words, not the internal template.
        Assert.Equal("Identified database connection issue", Assert.Single(view.Updates).Body);

        var timers = server.Services.GetRequiredService<WatchIncidentTimers>();
        server.Clock.Advance(TimeSpan.FromMinutes(14));
        await timers.RunOnceAsync(CancellationToken.None);
        Assert.Empty(await AlertsNamedAsync("IncidentUpdateDue"));
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await timers.RunOnceAsync(CancellationToken.None);
        var due = Assert.Single(await AlertsNamedAsync("IncidentUpdateDue"));
        Assert.Equal("alice", due.Labels.Get("commander"));
        Assert.Contains(await TimelineAsync(id), row => row.StartsWith("reminder:", StringComparison.Ordinal));

        await PostAsync($"/api/incidents/{id}/updates", """{"message": "Pool size raised"}""");
        await timers.RunOnceAsync(CancellationToken.None);
        Assert.True(Assert.Single(await AlertsNamedAsync("IncidentUpdateDue")).IsResolvedAt(server.Clock.GetUtcNow()));
    }

    private Task<List<StoredAlert>> AlertsNamedAsync(string name) =>
        server.QueryAsync(async db => (await db.Set<StoredAlert>().AsNoTracking().ToListAsync()).Where(a => a.Labels.Get("alertname") == name).ToList());

    [Fact]
    public async Task A_post_mortem_is_written_exported_as_markdown_and_its_action_items_stay_open_until_done()
    {
        var id = await OpenAsync();
        server.Clock.Advance(TimeSpan.FromMinutes(45));
        await PostAsync($"/api/incidents/{id}/resolve");
        var put = await server.Http.PutAsync($"/api/incidents/{id}/postmortem", Json("""{"summary": "Checkout failed for 45 minutes", "root_cause": "Database connection pool exhausted", "resolution": "Increased connection pool size", "lessons_learned": "Alert on pool saturation"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var item = await PostAsync($"/api/incidents/{id}/action-items", """{"title": "Alert on pool saturation", "owner": "alice", "due_on": "2026-11-09"}""");
        var other = await OpenAsync("Another", "P2");
        await PostAsync($"/api/incidents/{other}/action-items", """{"title": "Load test", "owner": "bob"}""");

        var markdown = await server.Http.GetStringAsync($"/api/incidents/{id}/postmortem.md");
        Assert.Contains($"# Post-mortem: {id} Checkout returns 500", markdown, StringComparison.Ordinal);
        Assert.Contains("Duration: 45 minutes", markdown, StringComparison.Ordinal);
        Assert.Contains("## Root cause\n\nDatabase connection pool exhausted", markdown, StringComparison.Ordinal);
        Assert.Contains("- 2026-11-02 09:00:00 — Opened as P1 (manual); affects checkout (major_outage)", markdown, StringComparison.Ordinal);
        Assert.Contains("- [ ] Alert on pool saturation — owner: alice, due: 2026-11-09", markdown, StringComparison.Ordinal);

        Assert.Equal(["Alert on pool saturation", "Load test"], (await GetAsync("/api/action-items?status=open")).EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        var done = await server.Http.PutAsync($"/api/action-items/{item.GetProperty("id").GetInt32()}", Json("""{"status": "done"}"""));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(["Load test"], (await GetAsync("/api/action-items?status=open")).EnumerateArray().Select(i => i.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Metrics_give_mean_times_and_breaches_per_severity_service_and_month()
    {
        var fast = await OpenAsync("Fast", "P1");
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await PostAsync($"/api/incidents/{fast}/ack");
        var slow = await OpenAsync("Slow", "P1");
        server.Clock.Advance(TimeSpan.FromMinutes(25));
        await PostAsync($"/api/incidents/{slow}/ack");
        await PostAsync($"/api/incidents/{fast}/resolve");

        var metrics = await GetAsync("/api/incidents/metrics");
        var p1 = Assert.Single(metrics.GetProperty("by_severity").EnumerateArray());
        Assert.Equal("P1", p1.GetProperty("key").GetString());
        Assert.Equal(2, p1.GetProperty("incidents").GetInt32());
        Assert.Equal(1, p1.GetProperty("open").GetInt32());
        Assert.Equal((300 + 1500) / 2.0, p1.GetProperty("mean_time_to_acknowledge_seconds").GetDouble());
        Assert.Equal(1800, p1.GetProperty("mean_time_to_resolve_seconds").GetDouble());
        Assert.Equal(1, p1.GetProperty("response_breaches").GetInt32());
        Assert.Equal("checkout", Assert.Single(metrics.GetProperty("by_service").EnumerateArray()).GetProperty("key").GetString());
        Assert.Equal("2026-11", Assert.Single(metrics.GetProperty("by_month").EnumerateArray()).GetProperty("key").GetString());
    }

    [Fact]
    public async Task The_console_lists_incidents_and_shows_the_post_mortem_metrics_and_open_action_items()
    {
        var id = await OpenAsync();
        await PostAsync($"/api/incidents/{id}/action-items", """{"title": "Alert on pool saturation", "owner": "alice"}""");

        Assert.Contains($"data-incident=\"{id}\"", await server.Http.GetStringAsync("/incidents"));
        Assert.Contains("Export as Markdown", await server.Http.GetStringAsync($"/incidents/{id}/postmortem"));
        Assert.Contains("data-key=\"P1\"", await server.Http.GetStringAsync("/incidents/metrics"));
        Assert.Contains("Alert on pool saturation", await server.Http.GetStringAsync("/incidents/action-items"));
        Assert.Contains("data-kind=\"opened\"", await server.Http.GetStringAsync($"/incidents/{id}"));
    }

    [Fact]
    public async Task An_acknowledgement_from_a_page_acknowledges_the_incident_once()
    {
        var id = await OpenAsync();
        // Every observer hears each event, as escalation tells them (the incidents' and the operator log's).
        var observers = server.Services.GetServices<IPageObserver>().ToList();
        server.Clock.Advance(TimeSpan.FromMinutes(3));
        var at = server.Clock.GetUtcNow();
        await server.QueryAsync(async db =>
        {
            async Task TellAsync(PageEvent pageEvent)
            {
                foreach (var observer in observers)
                {
                    await observer.OnPageEventAsync(db, pageEvent, CancellationToken.None);
                }
            }
            await TellAsync(new PageEvent($"incident:{id}", PageEventKind.Paged, 1, "alice", null, "by SMS", at));
            await TellAsync(new PageEvent($"incident:{id}", PageEventKind.Acknowledged, 1, null, "alice", "one-click link", at));
            await TellAsync(new PageEvent($"incident:{id}", PageEventKind.Acknowledged, 1, null, "alice", "one-click link", at));
            return await db.SaveChangesAsync();
        });

        var incident = (await GetAsync($"/api/incidents/{id}")).GetProperty("incident");
        Assert.Equal("acknowledged", incident.GetProperty("status").GetString());
        Assert.Equal("alice", incident.GetProperty("acknowledged_by").GetString());
        Assert.Equal(
            ["opened: Opened as P1 (manual); affects checkout (major_outage)", "page: Paged alice (level 1): by SMS", "acknowledged: Acknowledged by alice after 3 minutes (from a page)"],
            await TimelineAsync(id));
    }
}

public sealed class IncidentApiOnSqlite : IncidentApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class IncidentApiOnPostgres(PostgresServer postgres) : IncidentApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
