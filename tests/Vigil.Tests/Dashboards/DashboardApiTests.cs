using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vigil.Features.Access;
using Vigil.Features.Dashboards;
using Vigil.Tests.Support;

namespace Vigil.Tests.Dashboards;

/// <summary>Issue 23 item 4: dashboards kept in the database, checked on save, audited, exported and imported from Grafana.</summary>
public abstract class DashboardApiTests : IAsyncLifetime
{
    public static string GrafanaFixture => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "Vigil.Tests", "Dashboards", "grafana-dashboard.json"));

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static object Dashboard(string title, params string[] queries) => new
    {
        title,
        description = "checkout at a glance",
        variables = new object[] { new { name = "instance", kind = "query", query = "label_values(up, instance)" } },
        panels = queries.Select((q, i) => new
        {
            title = $"panel {i}",
            kind = i % 2 == 0 ? "timeseries" : "stat",
            targets = new[] { new { expr = q, legend_format = "{{instance}}" } },
            grid_pos = new { x = i % 2 * 12, y = i / 2 * 8, w = 12, h = 8 },
            thresholds = new object[] { new { color = "green" }, new { value = 5, color = "red" } },
        }).ToArray(),
    };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task A_dashboard_is_created_changed_exported_reimported_and_deleted_with_each_change_audited()
    {
        var created = await JsonAsync(await server.Http.PostAsJsonAsync("/api/dashboards", Dashboard("Checkout", "rate(http_requests_total{instance=\"$instance\"}[$__rate_interval])", "sum(up)")), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal(2, created.GetProperty("panels").GetArrayLength());
        Assert.Equal("{{instance}}", created.GetProperty("panels")[0].GetProperty("targets")[0].GetProperty("legend_format").GetString());
        Assert.Equal(12, created.GetProperty("panels")[1].GetProperty("grid_pos").GetProperty("x").GetInt32());

        var updated = await JsonAsync(await server.Http.PutAsJsonAsync($"/api/dashboards/{id}", Dashboard("Checkout v2", "sum(up)")), HttpStatusCode.OK);
        Assert.Equal("Checkout v2", updated.GetProperty("title").GetString());

        var export = await server.Http.GetAsync($"/api/dashboards/{id}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var exported = await export.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"id\"", exported, StringComparison.Ordinal);
        var copy = await JsonAsync(await server.Http.PostAsync("/api/dashboards", new StringContent(exported, Encoding.UTF8, "application/json")), HttpStatusCode.Created);
        Assert.NotEqual(id, copy.GetProperty("id").GetInt32());
        Assert.Equal("Checkout v2", copy.GetProperty("title").GetString());
        Assert.Equal(updated.GetProperty("panels").GetRawText(), copy.GetProperty("panels").GetRawText());

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync($"/api/dashboards/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/dashboards/{id}")).StatusCode);

        var audit = (await server.AuditAsync()).Where(e => e.Resource == "dashboard").Select(e => (e.Action, e.ResourceId, e.Username)).ToList();
        Assert.Equal(
        [
            ("create", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "test-admin"),
            ("update", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "test-admin"),
            ("create", copy.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), "test-admin"),
            ("delete", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "test-admin"),
        ], audit);
    }

    [Fact]
    public async Task A_query_that_does_not_parse_is_a_problem_naming_its_panel_and_target_and_nothing_is_saved()
    {
        var before = (await JsonAsync(await server.Http.GetAsync("/api/dashboards"), HttpStatusCode.OK)).GetArrayLength();

        var response = await server.Http.PostAsJsonAsync("/api/dashboards", Dashboard("Broken", "sum(up)", "up", "rate(http_requests_total[5m]"));
        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var reason = problem.GetProperty("errors").GetProperty("panels[2].targets[0].expr")[0].GetString();
        Assert.Contains("parse error", reason, StringComparison.Ordinal);

        var unknown = await JsonAsync(await server.Http.PostAsJsonAsync("/api/dashboards", Dashboard("Unknown variable", "up{instance=\"$host\"}")), HttpStatusCode.BadRequest);
        Assert.Equal("uses $host, which is not a variable of this dashboard", unknown.GetProperty("errors").GetProperty("panels[0].targets[0].expr")[0].GetString());

        var badGrid = await JsonAsync(await server.Http.PostAsJsonAsync("/api/dashboards", new { title = "Grid", panels = new[] { new { kind = "pie", targets = new[] { new { expr = "up" } }, grid_pos = new { x = 20, y = 0, w = 12, h = 8 } } } }), HttpStatusCode.BadRequest);
        Assert.True(badGrid.GetProperty("errors").TryGetProperty("panels[0].kind", out _), badGrid.GetRawText());
        Assert.True(badGrid.GetProperty("errors").TryGetProperty("panels[0].grid_pos.x", out _), badGrid.GetRawText());

        Assert.Equal(before, (await JsonAsync(await server.Http.GetAsync("/api/dashboards"), HttpStatusCode.OK)).GetArrayLength());
        Assert.DoesNotContain(await server.AuditAsync(), e => e.Resource == "dashboard");
    }

    [Fact]
    public async Task Viewers_see_dashboards_and_only_managers_change_them()
    {
        var viewer = await server.ClientFor(Role.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/dashboards")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/dashboards", Dashboard("Mine", "up"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/dashboards/import/grafana", new StringContent(GrafanaFixture, Encoding.UTF8, "application/json"))).StatusCode);
        var manager = await server.ClientFor(Role.Manager);
        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsJsonAsync("/api/dashboards", Dashboard("Mine", "up"))).StatusCode);
    }

    [Fact]
    public async Task A_grafana_dashboard_is_imported_with_its_prometheus_panels_and_variables_and_the_rest_reported_skipped()
    {
        var result = await JsonAsync(await server.Http.PostAsync("/api/dashboards/import/grafana", new StringContent(GrafanaFixture, Encoding.UTF8, "application/json")), HttpStatusCode.Created);
        var dashboard = result.GetProperty("dashboard");
        Assert.Equal("Checkout service", dashboard.GetProperty("title").GetString());

        var panels = dashboard.GetProperty("panels").EnumerateArray().Select(p => (
            p.GetProperty("title").GetString(), p.GetProperty("kind").GetString(), p.GetProperty("targets").GetArrayLength(),
            p.GetProperty("grid_pos").GetProperty("x").GetInt32(), p.GetProperty("grid_pos").GetProperty("y").GetInt32(), p.GetProperty("grid_pos").GetProperty("w").GetInt32())).ToList();
        Assert.Equal(
        [
            ("Request rate", "timeseries", 1, 0, 0, 16),
            ("Requests on $instance", "stat", 1, 16, 0, 8),
            ("Error ratio", "gauge", 1, 0, 9, 12),
        ], panels);
        var stat = dashboard.GetProperty("panels")[1];
        Assert.Equal(
            [(null, "green"), (1000, "red")],
            stat.GetProperty("thresholds").EnumerateArray().Select(t => (t.GetProperty("value").ValueKind == JsonValueKind.Null ? (double?)null : t.GetProperty("value").GetDouble(), t.GetProperty("color").GetString())).ToList());
        Assert.Equal("sum by (instance) (rate(http_requests_total{job=\"$job\"}[$__rate_interval]))", dashboard.GetProperty("panels")[0].GetProperty("targets")[0].GetProperty("expr").GetString());

        var variables = dashboard.GetProperty("variables").EnumerateArray().Select(v => (v.GetProperty("name").GetString(), v.GetProperty("kind").GetString())).ToList();
        Assert.Equal([("instance", "query"), ("quantile", "custom"), ("job", "constant")], variables);

        var skipped = result.GetProperty("skipped").EnumerateArray()
            .Select(s => $"{s.GetProperty("panel").GetString() ?? "$" + s.GetProperty("variable").GetString()}: {s.GetProperty("reason").GetString()}").ToList();
        Assert.Equal(
        [
            "$resolution: variable type \"interval\" is not supported (query, custom, constant are)",
            "Request rate: target B: data source \"loki\" is not Prometheus",
            "Notes: panel type \"text\" is not supported (timeseries, graph, stat, singlestat, gauge, table are)",
        ], skipped);

        var audit = Assert.Single(await server.AuditAsync(), e => e.Resource == "dashboard");
        Assert.Contains("\"source\":\"grafana\"", audit.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_old_or_unrecognisable_grafana_json_is_refused_naming_schema_version()
    {
        var old = await JsonAsync(await server.Http.PostAsJsonAsync("/api/dashboards/import/grafana", new { title = "Old", schemaVersion = 16, panels = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        Assert.Contains("older than 30", old.GetProperty("errors").GetProperty("schemaVersion")[0].GetString(), StringComparison.Ordinal);
        var none = await JsonAsync(await server.Http.PostAsJsonAsync("/api/dashboards/import/grafana", new { title = "Not Grafana" }), HttpStatusCode.BadRequest);
        Assert.True(none.GetProperty("errors").TryGetProperty("schemaVersion", out _));
    }

    [Fact]
    public async Task The_system_health_dashboard_exists_from_the_first_start_once_and_its_queries_parse()
    {
        var list = await JsonAsync(await server.Http.GetAsync("/api/dashboards"), HttpStatusCode.OK);
        var health = Assert.Single(list.EnumerateArray(), d => d.GetProperty("built_in").GetString() == CreateSystemHealthDashboard.Key);
        Assert.Equal("System Health", health.GetProperty("title").GetString());
        Assert.Empty(DashboardRules.Validate(CreateSystemHealthDashboard.Definition()));

        // Started again (a restart, or a second replica over the same database): still one.
        foreach (var service in server.Services.GetServices<IHostedService>().OfType<CreateSystemHealthDashboard>())
        {
            await service.StartAsync(default);
        }
        var again = await JsonAsync(await server.Http.GetAsync("/api/dashboards"), HttpStatusCode.OK);
        Assert.Single(again.EnumerateArray(), d => d.GetProperty("built_in").GetString() == CreateSystemHealthDashboard.Key);
    }
}

public sealed class DashboardApiOnSqlite : DashboardApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DashboardApiOnPostgres(PostgresServer postgres) : DashboardApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
