using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Deployments;
using Vigil.Tests.Support;

namespace Vigil.Tests.Deployments;

/// <summary>The deployment series in the embedded PromQL engine, and the deployment-success SLO kind built on them.</summary>
public abstract class DeploymentSeriesTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
            environments:
              - name: production
              - name: staging
        slos:
          - name: checkout-deployments
            service: checkout
            target: 99
            deployments:
              environment: production
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<int> DeployAsync(string environment, string version, string outcome)
    {
        var response = await server.Http.PostAsJsonAsync("/api/deployments", new { service = "checkout", environment, version });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        if (outcome != DeploymentStatus.InProgress)
        {
            var finished = await server.Http.PostAsJsonAsync($"/api/deployments/{id}/finish", new { status = outcome });
            Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        }
        return id;
    }

    /// <summary>A pass of the series writer a second later, so the loop's own pass at this instant (it runs on the same clock) is not the one queried.</summary>
    private async Task WriteSeriesAsync()
    {
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        await server.Services.GetRequiredService<DeploymentSeries>().WriteAsync(CancellationToken.None);
    }

    private async Task<JsonElement[]> QueryAsync(string query)
    {
        var time = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var answer = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={time.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Assert.Equal("success", answer.GetProperty("status").GetString());
        return [.. answer.GetProperty("data").GetProperty("result").EnumerateArray()];
    }

    private static double Value(JsonElement sample) =>
        double.Parse(sample.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_hundred_production_deployments_with_one_failure_are_99_percent_successful_and_queryable_by_promql()
    {
        for (var i = 0; i < 100; i++)
        {
            await DeployAsync("production", $"v1.{i}.0", i == 42 ? DeploymentStatus.Failed : DeploymentStatus.Succeeded);
        }
        // Staging does not count towards the production SLO.
        await DeployAsync("staging", "v2.0.0", DeploymentStatus.Failed);
        var running = await DeployAsync("production", "v1.100.0", DeploymentStatus.InProgress);
        await server.Http.PostAsJsonAsync($"/api/deployments/{running}/finish", new { status = "succeeded" });
        await WriteSeriesAsync();

        var failed = await QueryAsync("""vigil_deployments_total{service="checkout",environment="production",status="failed"}""");
        Assert.Equal(1, Value(Assert.Single(failed)));
        var succeeded = await QueryAsync("""sum by (environment) (vigil_deployments_total{status="succeeded"})""");
        Assert.Equal(100, Value(Assert.Single(succeeded, s => s.GetProperty("metric").GetProperty("environment").GetString() == "production")));
        var info = await QueryAsync("""vigil_deployment_info{service="checkout"}""");
        Assert.Equal(2, info.Length);
        var production = Assert.Single(info, s => s.GetProperty("metric").GetProperty("environment").GetString() == "production");
        Assert.Equal(("v1.100.0", "v1.99.0", "succeeded", 1.0), (production.GetProperty("metric").GetProperty("version").GetString(),
            production.GetProperty("metric").GetProperty("previous_version").GetString(), production.GetProperty("metric").GetProperty("status").GetString(), Value(production)));

        // 101 started in production, 100 succeeded: the SLO measures from the same counters.
        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-deployments");
        Assert.Equal("deployments", slo.GetProperty("kind").GetString());
        Assert.Equal(100 / 101.0, slo.GetProperty("attainment").GetDouble(), 9);
    }

    [Fact]
    public async Task The_deployment_success_slo_computes_99_percent_from_100_deployments_with_one_failure()
    {
        for (var i = 0; i < 100; i++)
        {
            await DeployAsync("production", $"v1.{i}.0", i == 7 ? DeploymentStatus.Failed : DeploymentStatus.Succeeded);
        }
        await WriteSeriesAsync();

        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-deployments");
        Assert.Equal(0.99, slo.GetProperty("attainment").GetDouble(), 9);
        // 99 % of 100 deployments allows one failure: the one spent the whole budget.
        Assert.Equal(0, slo.GetProperty("budget_remaining").GetDouble(), 9);

        // A new status retires the old info series at once (staleness marker), so one series stays.
        var latest = await DeployAsync("production", "v1.100.0", DeploymentStatus.InProgress);
        await WriteSeriesAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(15));
        await server.Http.PostAsJsonAsync($"/api/deployments/{latest}/rollback", new { });
        await WriteSeriesAsync();
        var info = await QueryAsync("""vigil_deployment_info{environment="production"}""");
        Assert.Equal("rolled_back", Assert.Single(info).GetProperty("metric").GetProperty("status").GetString());
    }
}

public sealed class DeploymentSeriesOnSqlite : DeploymentSeriesTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DeploymentSeriesOnPostgres(PostgresServer postgres) : DeploymentSeriesTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
