using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Features.Catalog;
using Vigil.Tests.Support;

namespace Vigil.Tests.Configuration;

/// <summary>Reloading the configuration, on SQLite and on PostgreSQL.</summary>
public abstract class ReloadTests : IAsyncLifetime
{
    private const string Initial = """
        services:
          - name: api
            tier: 1
          - name: web
            dependencies:
              - service: api
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Initial);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<string> NamesAsync() =>
        string.Join(",", (await server.GetJsonAsync<List<ServiceView>>("/api/services")).Select(s => $"{s.Name}:{s.Tier}"));

    [Fact]
    public async Task A_reload_with_an_invalid_config_is_refused_and_the_previous_config_keeps_serving()
    {
        await server.WriteConfigAsync("""
            services:
              - name: api
                tier: 7
              - name: checkout
                dependencies:
                  - service: nowhere
            """);

        var response = await server.Http.PostAsync("/-/reload", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e!.EndsWith("vigil.yaml:3:11: must be 1 (most critical) to 4", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.EndsWith("vigil.yaml:6:18: unknown service \"nowhere\"", StringComparison.Ordinal));
        Assert.Equal("api:1,web:", await NamesAsync());
    }

    [Fact]
    public async Task A_reload_with_a_valid_config_adds_updates_and_removes_config_services_but_keeps_api_services()
    {
        var created = await server.Http.PostAsJsonAsync("/api/services", new { name = "manual" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await server.WriteConfigAsync("""
            services:
              - name: api
                tier: 2
              - name: checkout
                dependencies:
                  - service: api
            """);

        var response = await server.Http.PostAsync("/-/reload", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("api:2,checkout:,manual:", await NamesAsync());
        var entry = (await server.AuditAsync()).Last();
        Assert.Equal(("reload", "config", TestServer.AdminUsername, "127.0.0.1"), (entry.Action, entry.Resource, entry.Username, entry.IpAddress));
        Assert.Contains("\"applied\":true", entry.Metadata);
    }
}

public sealed class ReloadOnSqlite : ReloadTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ReloadOnPostgres(PostgresServer postgres) : ReloadTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
