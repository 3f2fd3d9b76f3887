using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Features.Server;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary><c>/health/ready</c> for load balancers, and <c>/health</c> staying liveness through a database outage.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task A_replica_with_its_database_and_configuration_is_ready()
    {
        await using var server = await TestServer.StartAsync();

        var response = await server.Anonymous.GetAsync("/health/ready");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public async Task While_postgresql_is_down_the_replica_is_alive_but_not_ready_and_work_resumes_when_it_is_back()
    {
        // A server of its own: stopping the run's shared one would fail every other PostgreSQL test.
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        try
        {
            await using var server = await TestServer.StartAsync(await postgres.CreateDatabaseAsync());
            Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/health/ready")).StatusCode);

            await postgres.StopAsync();
            server.Clock.Advance(GetReadiness.CacheFor);

            Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/health")).StatusCode);
            var down = await server.Anonymous.GetAsync("/health/ready");
            var body = await down.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("not_ready", body.GetProperty("status").GetString());
            var problem = Assert.Single(body.GetProperty("problems").EnumerateArray());
            Assert.Equal("database", problem.GetProperty("component").GetString());
            Assert.Contains("cannot be reached", problem.GetProperty("reason").GetString());

            await postgres.StartAsync();
            server.Clock.Advance(GetReadiness.CacheFor);

            Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/health/ready")).StatusCode);
            // Work resumes by itself: a change is written and read back.
            Assert.Equal(HttpStatusCode.Created, (await server.Http.PostAsJsonAsync("/api/services", new { name = "after-outage" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/services/after-outage")).StatusCode);
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }
}
