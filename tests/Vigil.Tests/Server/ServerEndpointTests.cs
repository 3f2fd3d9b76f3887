using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>The server's own endpoints, on SQLite and on PostgreSQL.</summary>
public abstract class ServerEndpointTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    protected abstract string Provider { get; }

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Health_reports_status_timestamp_uptime_and_version_from_the_clock()
    {
        server.Clock.Advance(TimeSpan.FromSeconds(3600));

        var health = await server.GetJsonAsync<JsonElement>("/health");

        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(3600, health.GetProperty("uptime").GetInt64());
        Assert.Equal(server.Clock.GetUtcNow(), health.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Matches(@"^\d+\.\d+\.\d+", health.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Api_health_reports_the_database_connected_with_its_latency()
    {
        var response = await server.Http.GetAsync("/api/health");
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("connected", health.GetProperty("components").GetProperty("database").GetString());
        var check = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
        Assert.True(check.GetProperty("latency_ms").GetDouble() >= 0);
    }

    [Fact]
    public async Task System_info_reports_memory_cpu_database_connections_and_uptime()
    {
        var info = await server.GetJsonAsync<JsonElement>("/api/system/info");

        Assert.True(info.GetProperty("memory").GetProperty("used").GetInt64() > 0);
        Assert.True(info.GetProperty("memory").GetProperty("total").GetInt64() >= info.GetProperty("memory").GetProperty("used").GetInt64());
        Assert.InRange(info.GetProperty("cpu").GetProperty("usage").GetDouble(), 0, 100);
        Assert.Equal(Provider, info.GetProperty("database").GetProperty("provider").GetString());
        Assert.True(info.GetProperty("database").GetProperty("connections").GetInt32() >= 0);
    }

    [Fact]
    public async Task Metrics_expose_http_requests_by_route_and_status_in_prometheus_format()
    {
        await server.Http.GetAsync("/api/services/nothing-here");

        var response = await server.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("http_request_duration_seconds_bucket{code=\"404\",method=\"GET\",controller=\"\",action=\"\",endpoint=\"/api/services/{name}\"", text);
        Assert.Contains("process_cpu_seconds_total", text);
        Assert.Contains("dotnet_collection_count_total", text);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_catalog_api()
    {
        var doc = await server.GetJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/services", out _));
        Assert.True(paths.TryGetProperty("/api/services/{name}", out _));
    }
}

public sealed class ServerEndpointsOnSqlite : ServerEndpointTests
{
    protected override string Provider => "sqlite";

    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ServerEndpointsOnPostgres(PostgresServer postgres) : ServerEndpointTests
{
    protected override string Provider => "postgres";

    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
