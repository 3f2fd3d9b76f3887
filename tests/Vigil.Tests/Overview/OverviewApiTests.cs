using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Features.Overview;
using Vigil.Tests.Support;

namespace Vigil.Tests.Overview;

/// <summary><c>GET /api/overview</c>, the home's data, on a real server against SQLite and PostgreSQL.</summary>
public abstract class OverviewApiTests : IAsyncLifetime
{
    private const string IntegrationToken = "overview-test-integration-token-0123";
    private readonly string tokenFile = Path.Combine(Path.GetTempPath(), $"vigil-overview-{Guid.NewGuid():N}.token");
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(tokenFile, IntegrationToken);
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            services:
              - name: checkout
                environments: [{name: production}]
            schedules:
              - name: primary
                time_zone: UTC
                layers:
                  - {name: week, rotation: weekly, handoff: "09:00", start: 2026-10-26, participants: [alice]}
            alerting:
              integrations: [{name: prometheus, type: alertmanager, token_file: "{{tokenFile}}"}]
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        File.Delete(tokenFile);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task SendAlertAsync(string name, string severity)
    {
        // Prometheus sends endsAt a few evaluation intervals ahead and keeps resending; one send that holds for two hours stands for that.
        var endsAt = (server.Clock.GetUtcNow() + TimeSpan.FromHours(2)).ToString("O");
        using var prometheus = new HttpClient { BaseAddress = server.BaseAddress };
        prometheus.DefaultRequestHeaders.Authorization = new("Bearer", IntegrationToken);
        var posted = await prometheus.PostAsync("/api/v2/alerts", Json($$$"""[{"labels": {"alertname": "{{{name}}}", "severity": "{{{severity}}}", "service": "checkout"}, "endsAt": "{{{endsAt}}}"}]"""));
        Assert.True(posted.IsSuccessStatusCode, $"{posted.StatusCode}: {await posted.Content.ReadAsStringAsync()}");
    }

    private async Task<string> OpenIncidentAsync()
    {
        var opened = await server.Http.PostAsync("/api/incidents", Json("""{"title": "Checkout returns 500", "severity": "P1", "services": [{"service": "checkout", "impact": "major_outage"}]}"""));
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());
        return (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task The_overview_shows_the_firing_alerts_by_severity_the_open_incident_with_its_sla_and_who_is_on_call()
    {
        await SendAlertAsync("DiskFilling", "warning");
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await SendAlertAsync("CheckoutDown", "critical");
        var incident = await OpenIncidentAsync();
        var deployed = await server.Http.PostAsync("/api/deployments", JsonContent.Create(new { service = "checkout", environment = "production", version = "v2" }));
        Assert.True(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());
        server.Clock.Advance(TimeSpan.FromMinutes(10));

        var overview = await server.GetJsonAsync<JsonElement>("/api/overview");

        var alerts = overview.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(["CheckoutDown", "DiskFilling"], alerts.Select(a => a.GetProperty("name").GetString()));
        Assert.Equal("critical", alerts[0].GetProperty("severity").GetString());
        Assert.Equal(600, alerts[0].GetProperty("age_seconds").GetDouble());
        Assert.Equal(900, alerts[1].GetProperty("age_seconds").GetDouble());

        var open = Assert.Single(overview.GetProperty("incidents").EnumerateArray());
        Assert.Equal(incident, open.GetProperty("id").GetString());
        Assert.Equal("P1", open.GetProperty("severity").GetString());
        // The default P1 must be acknowledged within 15 minutes of opening (the seeds' response times).
        var response = open.GetProperty("sla").EnumerateArray().Single(t => t.GetProperty("target").GetString() == "response");
        Assert.Equal(server.Clock.GetUtcNow() + TimeSpan.FromMinutes(5), response.GetProperty("due_at").GetDateTimeOffset());

        var onCall = Assert.Single(overview.GetProperty("on_call").EnumerateArray());
        Assert.Equal("primary", onCall.GetProperty("schedule").GetString());
        Assert.Equal("alice", onCall.GetProperty("user").GetString());

        var deployment = Assert.Single(overview.GetProperty("deployments").EnumerateArray());
        Assert.Equal("v2", deployment.GetProperty("version").GetString());
        Assert.Equal("checkout", Assert.Single(overview.GetProperty("services").EnumerateArray()).GetProperty("name").GetString());
        Assert.Empty(overview.GetProperty("slos").EnumerateArray());

        // Once the incident is resolved and a day has passed, neither it nor the deployment is "now" any more.
        var resolved = await server.Http.PostAsync($"/api/incidents/{incident}/resolve", Json("{}"));
        Assert.True(resolved.IsSuccessStatusCode, await resolved.Content.ReadAsStringAsync());
        server.Clock.Advance(TimeSpan.FromHours(24));
        var later = await server.GetJsonAsync<JsonElement>("/api/overview");
        Assert.Empty(later.GetProperty("incidents").EnumerateArray());
        Assert.Empty(later.GetProperty("deployments").EnumerateArray());
    }

    [Fact]
    public async Task A_caller_who_may_not_see_incidents_gets_the_overview_without_them()
    {
        await OpenIncidentAsync();
        await SendAlertAsync("CheckoutDown", "critical");
        var permissions = new HashSet<string>(RolePermissions.Of(Role.Viewer));
        permissions.Remove(Permission.IncidentsView);
        var caller = new Caller(CallerKind.Token, 99, "no-incidents", permissions);

        await using var scope = server.Services.CreateAsyncScope();
        var overview = await ReadOverview.ReadAsync(ReadOverview.Sources.From(scope.ServiceProvider), caller, CancellationToken.None);

        Assert.Null(overview.Incidents);
        Assert.Equal("CheckoutDown", Assert.Single(overview.Alerts!).Name);
        // And through HTTP a viewer, who may, gets them; nobody signed in gets nothing.
        var viewer = await server.ClientFor(Role.Viewer);
        Assert.Single((await viewer.GetFromJsonAsync<JsonElement>("/api/overview")).GetProperty("incidents").EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.GetAsync("/api/overview")).StatusCode);
    }
}

public sealed class OverviewApiOnSqlite : OverviewApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class OverviewApiOnPostgres(PostgresServer postgres) : OverviewApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
