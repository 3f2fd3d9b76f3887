using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.StatusPage;

/// <summary>
/// Incidents stay off the public status page until someone publishes them under a public title;
/// security incidents and drills never get there. Once, against SQLite and PostgreSQL.
/// </summary>
public abstract class IncidentVisibilityTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
        status_pages:
          - name: public
            title: Acme Status
            components:
              - name: Checkout
                services: [checkout]
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = Json(body) };
        var response = await server.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> OpenAsync(string title, string type = "incident") =>
        (await SendAsync(HttpMethod.Post, "/api/incidents", $$"""{"title": "{{title}}", "severity": "P1", "type": "{{type}}", "services": [{"service": "checkout", "impact": "major_outage"}]}""")).GetProperty("id").GetString()!;

    /// <summary>Everything a visitor can read: the page, its history, the Atom feed, summary.json and incidents.json.</summary>
    private async Task<string> PublicAsync()
    {
        var parts = new List<string>();
        foreach (var path in new[] { "/status/public", "/status/public/history", "/status/public/history.atom", "/status/public/api/v2/summary.json", "/status/public/api/v2/incidents.json" })
        {
            var response = await server.Anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            parts.Add(await response.Content.ReadAsStringAsync());
        }
        return string.Join("\n", parts);
    }

    private async Task<JsonElement> PublicJsonAsync(string path) => await server.Anonymous.GetFromJsonAsync<JsonElement>(path);

    [Fact]
    public async Task A_security_incident_is_on_no_public_page_feed_or_json_and_cannot_be_published()
    {
        var id = await OpenAsync("Unauthorized admin access", "security");

        var visible = await PublicAsync();
        Assert.DoesNotContain("Unauthorized admin access", visible, StringComparison.Ordinal);
        Assert.DoesNotContain(id, visible, StringComparison.Ordinal);
        Assert.Empty((await PublicJsonAsync("/status/public/api/v2/summary.json")).GetProperty("incidents").EnumerateArray());

        using var publish = new HttpRequestMessage(HttpMethod.Put, $"/api/incidents/{id}/visibility") { Content = Json("""{"visibility": "public", "public_title": "Login problems"}""") };
        var refused = await server.Http.SendAsync(publish);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("a security incident is never public", problem.GetProperty("errors").GetProperty("visibility")[0].GetString());
        Assert.Equal("private", (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}")).GetProperty("incident").GetProperty("visibility").GetString());

        var opened = await server.Http.PostAsync("/api/incidents", Json("""{"title": "Week 1 drill", "type": "drill", "visibility": "public", "public_title": "Drill"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, opened.StatusCode);
        Assert.Contains("a drill incident is never public", await opened.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incident_is_private_until_published_and_then_shows_its_public_title_and_the_updates_own_words()
    {
        var id = await OpenAsync("[FIRING:2] ErrorBudgetBurn postgresql (checkout critical)");
        await SendAsync(HttpMethod.Post, $"/api/incidents/{id}/updates", """{"status": "identified", "message": "A failed disk slows the primary database; we are failing over.", "eta": "30 minutes"}""");

        var before = await PublicAsync();
        Assert.DoesNotContain("ErrorBudgetBurn", before, StringComparison.Ordinal);
        Assert.DoesNotContain("failing over", before, StringComparison.Ordinal);

        var published = await SendAsync(HttpMethod.Put, $"/api/incidents/{id}/visibility", """{"visibility": "public", "public_title": "Checkout is slow"}""");
        Assert.Equal("public", published.GetProperty("visibility").GetString());

        var html = await server.Anonymous.GetStringAsync("/status/public");
        Assert.Contains("<h3>Checkout is slow</h3>", html, StringComparison.Ordinal);
        Assert.Contains("A failed disk slows the primary database; we are failing over.", html, StringComparison.Ordinal);
        var after = await PublicAsync();
        Assert.DoesNotContain("ErrorBudgetBurn", after, StringComparison.Ordinal);
        Assert.DoesNotContain("INCIDENT UPDATE", after, StringComparison.Ordinal);
        Assert.DoesNotContain("ETA:", after, StringComparison.Ordinal);

        var summary = await PublicJsonAsync("/status/public/api/v2/summary.json");
        var incident = Assert.Single(summary.GetProperty("incidents").EnumerateArray());
        Assert.Equal("Checkout is slow", incident.GetProperty("name").GetString());
        var update = Assert.Single(incident.GetProperty("incident_updates").EnumerateArray());
        Assert.Equal("identified", update.GetProperty("status").GetString());
        Assert.Equal("A failed disk slows the primary database; we are failing over.", update.GetProperty("body").GetString());
        Assert.Equal("Checkout is slow", Assert.Single((await PublicJsonAsync("/status/public/api/v2/incidents.json")).GetProperty("incidents").EnumerateArray()).GetProperty("name").GetString());
        Assert.Contains("<title>Checkout is slow</title>", await server.Anonymous.GetStringAsync("/status/public/history.atom"), StringComparison.Ordinal);

        var timeline = (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}")).GetProperty("timeline").EnumerateArray().Select(r => r.GetProperty("text").GetString()).ToList();
        Assert.Contains("Published to the status pages; public title \"Checkout is slow\"", timeline);
        Assert.Contains((await server.AuditAsync()).Select(e => $"{e.Action} {e.ResourceId}"), e => e == $"change_visibility {id}");

        await SendAsync(HttpMethod.Put, $"/api/incidents/{id}/visibility", """{"visibility": "private"}""");
        Assert.DoesNotContain("Checkout is slow", await PublicAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resolved_incident_stays_on_the_front_page_for_24_hours_and_in_the_history_after()
    {
        var id = await OpenAsync("db primary down");
        await SendAsync(HttpMethod.Put, $"/api/incidents/{id}/visibility", """{"visibility": "public", "public_title": "Checkout errors"}""");
        await SendAsync(HttpMethod.Post, $"/api/incidents/{id}/updates", """{"status": "resolved", "message": "Checkout works again."}""");

        server.Clock.Advance(TimeSpan.FromHours(23));
        var page = await server.Anonymous.GetStringAsync("/status/public");
        Assert.Contains("Recently resolved", page, StringComparison.Ordinal);
        Assert.Contains("Checkout works again.", page, StringComparison.Ordinal);

        server.Clock.Advance(TimeSpan.FromHours(2));
        page = await server.Anonymous.GetStringAsync("/status/public");
        Assert.DoesNotContain("Checkout errors", page, StringComparison.Ordinal);
        Assert.Contains("Checkout works again.", await server.Anonymous.GetStringAsync("/status/public/history"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"visibility": "public"}""", "public_title")]
    [InlineData("""{"visibility": "secret"}""", "visibility")]
    [InlineData("""{"type": "exercise"}""", "type")]
    public async Task Bad_visibility_input_is_refused_naming_the_field_and_changes_nothing(string body, string field)
    {
        var id = await OpenAsync("Checkout returns 500");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/incidents/{id}/visibility") { Content = Json(body) };
        var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        var incident = (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}")).GetProperty("incident");
        Assert.Equal("private", incident.GetProperty("visibility").GetString());
        Assert.Equal("incident", incident.GetProperty("type").GetString());
    }
}

public sealed class IncidentVisibilityOnSqlite : IncidentVisibilityTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class IncidentVisibilityOnPostgres(PostgresServer postgres) : IncidentVisibilityTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
