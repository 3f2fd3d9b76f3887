using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Deployments;

/// <summary>Deployments on incident timelines: the recent ones when an incident opens, and a failure or rollback during an open incident.</summary>
public abstract class DeploymentIncidentTimelineTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
            environments:
              - name: production
          - name: search
            environments:
              - name: production
        deployments:
          incident_lookback: 30m
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<int> DeployAsync(string service, string version)
    {
        var response = await server.Http.PostAsJsonAsync("/api/deployments", new { service, environment = "production", version });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private async Task<string> OpenAsync(object body)
    {
        var response = await server.Http.PostAsJsonAsync("/api/incidents", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string[]> DeploymentRowsAsync(string incident) =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}")).GetProperty("timeline").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "deployment").Select(r => r.GetProperty("text").GetString()!)];

    [Fact]
    public async Task An_incident_shows_the_deployments_to_its_services_within_the_lookback_and_a_deployment_that_fails_while_it_is_open()
    {
        var old = await DeployAsync("checkout", "v1.4.0");
        server.Clock.Advance(TimeSpan.FromMinutes(45));
        var recent = await DeployAsync("checkout", "v1.4.2");
        var other = await DeployAsync("search", "v9.1");
        server.Clock.Advance(TimeSpan.FromMinutes(12));

        var incident = await OpenAsync(new { title = "Checkout errors", services = new[] { new { service = "checkout", impact = "major_outage" } } });
        Assert.Equal([$"Deployed v1.4.2 of checkout to production 12 minutes before the incident opened (in progress, deployment #{recent})"], await DeploymentRowsAsync(incident));

        // An incident without services shows every recent deployment.
        var everything = await OpenAsync(new { title = "Something is off" });
        Assert.Equal(2, (await DeploymentRowsAsync(everything)).Length);

        // The deployment fails while the checkout incident is open: onto its timeline, not onto search's.
        server.Clock.Advance(TimeSpan.FromMinutes(3));
        var failed = await server.Http.PostAsJsonAsync($"/api/deployments/{recent}/finish", new { status = "failed" });
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        var rows = await DeploymentRowsAsync(incident);
        Assert.Equal($"Deployment of v1.4.2 of checkout to production failed (deployment #{recent})", rows[^1]);
        Assert.Equal(2, rows.Length);
        // The incident without services is on no service: a failure does not join it.
        Assert.Equal(2, (await DeploymentRowsAsync(everything)).Length);

        // A rollback after the incident resolved adds nothing.
        var resolved = await server.Http.PostAsJsonAsync($"/api/incidents/{incident}/resolve", new { });
        Assert.True(resolved.IsSuccessStatusCode, await resolved.Content.ReadAsStringAsync());
        await server.Http.PostAsJsonAsync($"/api/deployments/{recent}/rollback", new { });
        Assert.Equal(2, (await DeploymentRowsAsync(incident)).Length);
        Assert.NotEqual(old, other);
    }
}

public sealed class DeploymentIncidentTimelineOnSqlite : DeploymentIncidentTimelineTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DeploymentIncidentTimelineOnPostgres(PostgresServer postgres) : DeploymentIncidentTimelineTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
