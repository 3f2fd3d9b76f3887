using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Vigil.Features.StatusPage;
using Vigil.Tests.Monitors;
using Vigil.Tests.Notifications;
using Vigil.Tests.Support;

namespace Vigil.Tests.StatusPage;

/// <summary>The public status page on a real server, run once against SQLite and once against PostgreSQL.</summary>
public abstract class StatusPageTests : IAsyncLifetime
{
    // The test clock starts at 2026-11-02 09:00 UTC: the database upgrade is in progress, the API deploy is ahead.
    private static string Config(string webUrl) => $"""
        services:
          - name: api
          - name: db
          - name: web
        monitors:
          - name: api-health
            type: http
            service: api
            url: http://127.0.0.1:1/health
            interval: 1h
          - name: web-health
            type: http
            service: web
            url: {webUrl}/health
            interval: 1h
        maintenance_windows:
          - name: db-upgrade
            service: db
            starts_at: "2026-11-02T08:00:00Z"
            ends_at: "2026-11-02T10:00:00Z"
            comment: Upgrading PostgreSQL to 17
          - name: api-deploy
            service: api
            starts_at: "2026-11-05T22:00:00Z"
            ends_at: "2026-11-05T23:00:00Z"
        status_pages:
          - name: public
            title: Acme Status
            host: status.example.com
            components:
              - name: API
                group: Core
                description: The public REST API
                monitors: [api-health]
              - name: Database
                group: Core
                services: [db]
              - name: Website
                services: [web]
        """;

    private TestServer server = null!;
    private TargetServer web = null!;
    private volatile bool webHealthy = true;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        web = await TargetServer.StartAsync(app => app.MapGet("/health", () => webHealthy ? Results.Text("ok") : Results.StatusCode(503)));
        server = await TestServer.StartAsync(await DatabaseAsync(), Config(web.Url));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await web.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> PublicJsonAsync(string path)
    {
        var response = await server.Anonymous.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Status(JsonElement summary, string component) =>
        summary.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == component).GetProperty("status").GetString()!;

    [Fact]
    public async Task Anyone_reads_the_page_without_signing_in_and_sees_components_maintenance_and_uptime_bars()
    {
        var response = await server.Anonymous.GetAsync("/status/public");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Acme Status</h1>", html);
        Assert.Contains("id=\"component-database\" data-status=\"under_maintenance\"", html);
        Assert.Contains("id=\"component-api\" data-status=\"operational\"", html);
        Assert.Contains("Upgrading PostgreSQL to 17", html);
        Assert.Contains("id=\"maintenance-api-deploy-", html);
        Assert.Equal(90, CountBars(html, "component-api"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    private static int CountBars(string html, string component)
    {
        var start = html.IndexOf($"id=\"{component}\"", StringComparison.Ordinal);
        var end = html.IndexOf("</div>\n", html.IndexOf("class=\"legend\"", start, StringComparison.Ordinal), StringComparison.Ordinal);
        var section = html[start..end];
        return section.Split("<i class=").Length - 1;
    }

    [Fact]
    public async Task A_monitor_going_down_changes_the_cached_page_and_its_etag_at_once()
    {
        var before = await server.Anonymous.GetAsync("/status/public/api/v2/summary.json");
        var etag = before.Headers.ETag!;
        Assert.Equal("public, max-age=15", before.Headers.CacheControl?.ToString());
        using (var revalidate = new HttpRequestMessage(HttpMethod.Get, "/status/public/api/v2/summary.json"))
        {
            revalidate.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.NotModified, (await server.Anonymous.SendAsync(revalidate)).StatusCode);
        }
        Assert.Equal("operational", Status(await before.Content.ReadFromJsonAsync<JsonElement>(), "API"));

        (await server.Http.PostAsync("/api/monitors/api-health/check", null)).EnsureSuccessStatusCode();

        var after = await server.Anonymous.GetAsync("/status/public/api/v2/summary.json");
        var summary = await after.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("major_outage", Status(summary, "API"));
        Assert.Equal("critical", summary.GetProperty("status").GetProperty("indicator").GetString());
        Assert.Equal("Major System Outage", summary.GetProperty("status").GetProperty("description").GetString());
        Assert.NotEqual(etag, after.Headers.ETag);
        Assert.Contains("id=\"component-api\" data-status=\"major_outage\"", await server.Anonymous.GetStringAsync("/status/public"));
    }

    [Fact]
    public async Task The_uptime_on_the_page_is_the_monitor_pages_figure()
    {
        (await server.Http.PostAsync("/api/monitors/web-health/check", null)).EnsureSuccessStatusCode();
        // The target fails before the clock moves, so the scheduled check that moving the clock sets off
        // sees the failure too (it used to race the manual check below and could record "up" last).
        webHealthy = false;
        server.Clock.Advance(TimeSpan.FromHours(3));
        // A check that was in flight when the clock moved may still record "up" at this instant; check
        // again until the monitor's state is down, so the last hour is down whatever the interleaving.
        await DeliveryScenario.UntilAsync(async () =>
        {
            (await server.Http.PostAsync("/api/monitors/web-health/check", null)).EnsureSuccessStatusCode();
            return (await server.GetJsonAsync<JsonElement>("/api/monitors/web-health")).GetProperty("status").GetString() == "down";
        });
        server.Clock.Advance(TimeSpan.FromHours(1));

        // The state is down in memory at once; its history row (which uptime counts) is written just after.
        var percent = 100.0;
        await DeliveryScenario.UntilAsync(async () =>
        {
            var uptime = await server.GetJsonAsync<JsonElement>("/api/monitors/web-health/uptime?window=90d");
            percent = uptime.GetProperty("percent").GetDouble();
            return percent < 100;
        });

        // What this asserts is agreement: the page shows the monitor API's own figure (rendered again once
        // the row is in). The figure itself varies with when the server last recorded itself running before the clock jumps.
        var html = await server.Anonymous.GetStringAsync("/status/public");
        var expected = $"<span class=\"uptime\">{percent.ToString("0.00", CultureInfo.InvariantCulture)} % uptime</span>";
        await DeliveryScenario.UntilAsync(async () => (html = await server.Anonymous.GetStringAsync("/status/public")).Contains(expected, StringComparison.Ordinal));
        var start = html.IndexOf("id=\"component-website\"", StringComparison.Ordinal);
        Assert.Contains(expected, html[start..]);
        Assert.Contains("data-status=\"major_outage\"", html[start..(start + 60)]);
    }

    [Fact]
    public async Task The_page_answers_at_the_root_of_its_own_host_name()
    {
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Host = "status.example.com";
        var html = await (await server.Anonymous.SendAsync(page)).Content.ReadAsStringAsync();
        Assert.Contains("<h1>Acme Status</h1>", html);

        using var json = new HttpRequestMessage(HttpMethod.Get, "/api/v2/status.json");
        json.Headers.Host = "status.example.com";
        var status = await (await server.Anonymous.SendAsync(json)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("https://status.example.com", status.GetProperty("page").GetProperty("url").GetString());

        // Any other host name gets the console at /, which asks for a sign-in.
        var console = await server.Anonymous.GetAsync("/");
        Assert.NotEqual(HttpStatusCode.OK, console.StatusCode);
    }

    [Fact]
    public async Task A_traffic_spike_from_one_address_is_not_rate_limited()
    {
        for (var i = 0; i < 150; i++)
        {
            var response = await server.Anonymous.GetAsync("/status/public/api/v2/status.json");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_servers_summary_has_the_Statuspage_shape_with_its_components_and_maintenances()
    {
        var summary = await PublicJsonAsync("/status/public/api/v2/summary.json");

        Assert.Equal(["page", "components", "incidents", "scheduled_maintenances", "status"], summary.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Acme Status", summary.GetProperty("page").GetProperty("name").GetString());
        Assert.Equal(["Core", "API", "Database", "Website"], summary.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("under_maintenance", Status(summary, "Database"));
        Assert.Equal(["in_progress db-upgrade", "scheduled api-deploy"],
            summary.GetProperty("scheduled_maintenances").EnumerateArray().Select(m => $"{m.GetProperty("status").GetString()} {m.GetProperty("name").GetString()}"));
        var deploy = summary.GetProperty("scheduled_maintenances")[1];
        Assert.Equal(new DateTimeOffset(2026, 11, 5, 22, 0, 0, TimeSpan.Zero), deploy.GetProperty("scheduled_for").GetDateTimeOffset());
        Assert.Equal(["api"], deploy.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("maintenance", summary.GetProperty("status").GetProperty("indicator").GetString());
        Assert.Empty(summary.GetProperty("incidents").EnumerateArray());
    }

    [Fact]
    public async Task The_atom_feed_and_history_are_served()
    {
        var feed = await server.Anonymous.GetAsync("/status/public/history.atom");
        Assert.Equal("application/atom+xml", feed.Content.Headers.ContentType?.MediaType);
        var xml = System.Xml.Linq.XDocument.Parse(await feed.Content.ReadAsStringAsync());
        Assert.Equal("{http://www.w3.org/2005/Atom}feed", xml.Root!.Name.ToString());
        Assert.Equal("Acme Status incident history", xml.Root.Element(XName("title"))!.Value);

        Assert.Contains("No incidents reported.", await server.Anonymous.GetStringAsync("/status/public/history"));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.GetAsync("/status/nothing-here")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.GetAsync("/status/public/api/v2/nothing.json")).StatusCode);
    }

    private static System.Xml.Linq.XName XName(string local) => System.Xml.Linq.XName.Get(local, "http://www.w3.org/2005/Atom");

    [Fact]
    public async Task A_page_is_created_changed_and_deleted_through_the_api_and_each_change_is_audited()
    {
        var created = await server.Http.PostAsync("/api/status-pages", Json("""{"name": "internal", "title": "Internal", "components": [{"name": "Web", "services": ["web"]}]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("<h1>Internal</h1>", await server.Anonymous.GetStringAsync("/status/internal"));

        var updated = await server.Http.PutAsync("/api/status-pages/internal", Json("""{"title": "Internal systems", "components": [{"name": "Web", "services": ["web"]}, {"name": "API", "monitors": ["api-health"]}]}"""));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Contains("<h1>Internal systems</h1>", await server.Anonymous.GetStringAsync("/status/internal"));

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync("/api/status-pages/internal")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.GetAsync("/status/internal")).StatusCode);
        var audit = (await server.AuditAsync()).Where(e => e.Resource == "status_page").Select(e => $"{e.Action} {e.ResourceId}");
        Assert.Equal(["create internal", "update internal", "delete internal"], audit);
    }

    [Fact]
    public async Task A_page_from_the_config_is_read_only_through_the_api()
    {
        var page = await server.GetJsonAsync<JsonElement>("/api/status-pages/public");
        Assert.True(page.GetProperty("read_only").GetBoolean());

        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.PutAsync("/api/status-pages/public", Json("""{"components": [{"name": "Web", "services": ["web"]}]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.DeleteAsync("/api/status-pages/public")).StatusCode);
    }

    [Theory]
    [InlineData("""{"name": "Bad Name", "components": [{"name": "Web", "services": ["web"]}]}""", "name")]
    [InlineData("""{"name": "empty"}""", "components")]
    [InlineData("""{"name": "nothing", "components": [{"name": "Web"}]}""", "components[0].services")]
    [InlineData("""{"name": "twin", "components": [{"name": "Web", "services": ["web"]}, {"name": "web", "services": ["api"]}]}""", "components[1].name")]
    [InlineData("""{"name": "hosted", "host": "https://status.example.org/", "components": [{"name": "Web", "services": ["web"]}]}""", "host")]
    [InlineData("""{"name": "taken", "host": "status.example.com", "components": [{"name": "Web", "services": ["web"]}]}""", "host")]
    [InlineData("""{"name": "logo", "logo": "javascript:alert(1)", "components": [{"name": "Web", "services": ["web"]}]}""", "logo")]
    public async Task Bad_input_is_refused_naming_the_field_and_changes_nothing(string body, string field)
    {
        var before = await server.QueryAsync(db => db.Set<StoredStatusPage>().CountAsync());

        var response = await server.Http.PostAsync("/api/status-pages", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await server.QueryAsync(db => db.Set<StoredStatusPage>().CountAsync()));
        Assert.DoesNotContain(await server.AuditAsync(), e => e.Resource == "status_page");
    }
}

public sealed class StatusPageOnSqlite : StatusPageTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class StatusPageOnPostgres(PostgresServer postgres) : StatusPageTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
