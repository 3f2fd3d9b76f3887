using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigil.Features.Catalog;
using Vigil.Tests.Support;

namespace Vigil.Tests.Catalog;

/// <summary>The catalog API, run once against SQLite and once against PostgreSQL (the subclasses below).</summary>
public abstract class CatalogApiTests : IAsyncLifetime
{
    protected const string Config = """
        services:
          - name: api
            description: Backend API
            tier: 1
            owner: platform-team
            tags: [backend, customer-facing]
            contacts:
              - name: Dana Reyes
                role: DBA
                phone: "+1 555 0100"
            environments:
              - name: production
                url: https://api.example.com
              - name: staging
                url: https://api.staging.example.com
            dependencies:
              - external: PostgreSQL
                kind: database
                critical: true
          - name: web
            tier: 2
            tags: [frontend]
            environments:
              - name: production
            dependencies:
              - service: api
                critical: true
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Every service with everything it owns, as text: equal snapshots mean the database did not change.</summary>
    private Task<string> SnapshotAsync() => server.QueryAsync(async db =>
        JsonSerializer.Serialize((await db.Services.AsNoTracking().OrderBy(s => s.Name).ToListAsync()).Select(ServiceView.From)));

    /// <summary>The newest audit entry is this change, by the test's super_admin, from loopback.</summary>
    private async Task AssertAuditedAsync(string action, string service)
    {
        var entry = (await server.AuditAsync()).Last();
        Assert.Equal((action, "service", service, TestServer.AdminUsername, "127.0.0.1"),
            (entry.Action, entry.Resource, entry.ResourceId, entry.Username, entry.IpAddress));
    }

    [Fact]
    public async Task Services_from_config_are_listed_and_marked_read_only()
    {
        var services = await server.GetJsonAsync<List<ServiceView>>("/api/services");

        Assert.Equal(["api", "web"], services.Select(s => s.Name));
        var api = services[0];
        Assert.Equal("config", api.Origin);
        Assert.True(api.ReadOnly);
        Assert.Equal(["production", "staging"], api.Environments.Select(e => e.Name));
        Assert.Equal("Dana Reyes", Assert.Single(api.Contacts).Name);
        Assert.Equal(new DependencyView(DependencyKind.Database, "PostgreSQL", true, null), Assert.Single(api.Dependencies));
    }

    [Theory]
    [InlineData("?tag=frontend", "web")]
    [InlineData("?tier=1", "api")]
    [InlineData("?environment=staging", "api")]
    [InlineData("?environment=production&tag=backend", "api")]
    [InlineData("?environment=production", "api,web")]
    [InlineData("?tag=nothing", "")]
    public async Task Services_can_be_filtered_by_tag_tier_and_environment(string query, string expected)
    {
        var services = await server.GetJsonAsync<List<ServiceView>>("/api/services" + query);

        Assert.Equal(expected, string.Join(",", services.Select(s => s.Name)));
    }

    [Fact]
    public async Task A_service_is_created_read_updated_and_deleted_through_the_api()
    {
        var created = await server.Http.PostAsync("/api/services", Json("""
            {"name": "payments", "tier": 1, "owner": "payments-team", "tags": ["backend"],
             "environments": [{"name": "production", "url": "https://pay.example.com"}],
             "dependencies": [{"service": "api", "critical": true}, {"external": "Stripe", "kind": "third_party_api"}]}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/services/payments", created.Headers.Location?.ToString());
        await AssertAuditedAsync("create", "payments");

        var fetched = await server.GetJsonAsync<ServiceView>("/api/services/payments");
        Assert.Equal("api", fetched.Origin);
        Assert.False(fetched.ReadOnly);
        Assert.Equal(["api", "Stripe"], fetched.Dependencies.Select(d => d.Target));

        var updated = await server.Http.PutAsync("/api/services/payments", Json("""{"tier": 2, "description": "Card payments"}"""));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        await AssertAuditedAsync("update", "payments");
        fetched = await server.GetJsonAsync<ServiceView>("/api/services/payments");
        Assert.Equal(2, fetched.Tier);
        Assert.Equal("Card payments", fetched.Description);
        Assert.Empty(fetched.Dependencies);

        var deleted = await server.Http.DeleteAsync("/api/services/payments");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertAuditedAsync("delete", "payments");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/services/payments")).StatusCode);
    }

    [Theory]
    [InlineData("""{"name": "payments", "tier": """, "body")]
    [InlineData("""{"description": "no name"}""", "name")]
    [InlineData("""{"name": "payments", "dependencies": [{"service": "ledger"}]}""", "dependencies[0].service")]
    [InlineData("""{"name": "payments", "tier": "high"}""", "tier")]
    [InlineData("""{"name": "payments", "colour": "blue"}""", "colour")]
    [InlineData("""{"name": "payments", "environments": [{"name": "prod", "url": "ftp://x"}]}""", "environments[0].url")]
    public async Task Bad_input_gets_a_problem_naming_the_field_and_changes_nothing(string body, string field)
    {
        var before = await SnapshotAsync();

        var response = await server.Http.PostAsync("/api/services", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var reasons), $"expected an error for '{field}' in {problem}");
        Assert.NotEmpty(reasons.EnumerateArray().First().GetString()!);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task An_unknown_service_gets_404_problem()
    {
        var response = await server.Http.GetAsync("/api/services/ledger");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ledger", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Services_from_config_cannot_be_changed_or_deleted_through_the_api()
    {
        var before = await SnapshotAsync();

        var put = await server.Http.PutAsync("/api/services/api", Json("""{"tier": 4}"""));
        var delete = await server.Http.DeleteAsync("/api/services/web");

        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("read-only", await put.Content.ReadAsStringAsync());
        Assert.Equal(before, await SnapshotAsync());
        Assert.DoesNotContain(await server.AuditAsync(), e => e.Resource == "service");
    }

    [Fact]
    public async Task A_service_others_depend_on_cannot_be_deleted()
    {
        await server.Http.PostAsync("/api/services", Json("""{"name": "ledger"}"""));
        await server.Http.PostAsync("/api/services", Json("""{"name": "billing", "dependencies": [{"service": "ledger"}]}"""));

        var response = await server.Http.DeleteAsync("/api/services/ledger");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("\"billing\"", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_duplicate_name_is_a_conflict_and_changes_nothing()
    {
        var before = await SnapshotAsync();

        var response = await server.Http.PostAsync("/api/services", Json("""{"name": "api"}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(before, await SnapshotAsync());
    }
}

public sealed class CatalogApiOnSqlite : CatalogApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class CatalogApiOnPostgres(PostgresServer postgres) : CatalogApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
