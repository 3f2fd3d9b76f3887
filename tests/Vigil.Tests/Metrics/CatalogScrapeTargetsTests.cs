using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Configuration;
using Vigil.Tests.Monitors;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary>
/// A catalog environment with <c>metrics:</c> is scraped in the job <c>catalog</c> with the
/// catalog's labels, from when the service is created through the API until it is deleted; run
/// once against SQLite and once against PostgreSQL (the subclasses below).
/// </summary>
public abstract class CatalogScrapeTargetsTests : IAsyncLifetime
{
    private TestServer server = null!;
    private TargetServer target = null!;
    private int scrapes;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        target = await TargetServer.StartAsync(app => app.MapGet("/internal/metrics", () =>
        {
            Interlocked.Increment(ref scrapes);
            return Results.Text("# TYPE checkout_orders_total counter\ncheckout_orders_total{region=\"eu\"} 42\n", "text/plain; version=0.0.4");
        }));
        server = await TestServer.StartAsync(await DatabaseAsync(), "services: []\n");
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await target.DisposeAsync();
    }

    private async Task<JsonElement> QueryAsync(string query)
    {
        var time = (server.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);
        var answer = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={time}");
        return answer.GetProperty("data").GetProperty("result");
    }

    [Fact]
    public async Task A_service_created_through_the_API_is_scraped_with_its_catalog_labels_until_it_is_deleted()
    {
        var address = new Uri(target.Url).Authority;
        var created = await server.Http.PostAsync("/api/services", new StringContent($$$"""
            {"name": "checkout", "tier": 1, "owner": "payments",
             "environments": [
               {"name": "production", "metrics": {"target": "{{{address}}}", "path": "/internal/metrics", "interval": "15s"}},
               {"name": "staging"}]}
            """, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        server.Clock.Advance(TimeSpan.FromSeconds(16));
        // The scrape is real HTTP on loopback: wait (bounded) for its result to land.
        var waited = Stopwatch.StartNew();
        JsonElement orders;
        while ((orders = await QueryAsync("checkout_orders_total")).GetArrayLength() == 0 && waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
        Assert.Equal(1, orders.GetArrayLength());
        var labels = orders[0].GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["__name__"] = "checkout_orders_total",
            ["region"] = "eu",
            ["job"] = "catalog",
            ["instance"] = address,
            ["service"] = "checkout",
            ["environment"] = "production",
            ["tier"] = "1",
            ["team"] = "payments",
        }, labels);
        Assert.Equal("42", orders[0].GetProperty("value")[1].GetString());
        Assert.Equal("1", (await QueryAsync("up{job=\"catalog\",service=\"checkout\"}"))[0].GetProperty("value")[1].GetString());

        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var deleted = await server.Http.DeleteAsync("/api/services/checkout");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        // The target's series end with staleness markers as the delete answers (a millisecond after a
        // scrape the clock move may have set off at this same instant); no more scrapes follow.
        server.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, (await QueryAsync("up{job=\"catalog\"}")).GetArrayLength());
        Assert.Equal(0, (await QueryAsync("checkout_orders_total")).GetArrayLength());
        var before = Volatile.Read(ref scrapes);
        server.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, (await QueryAsync("up{job=\"catalog\"}")).GetArrayLength());
        Assert.Equal(before, Volatile.Read(ref scrapes));
    }

    [Fact]
    public async Task A_bad_metrics_endpoint_is_refused_naming_the_field_and_creates_nothing()
    {
        var response = await server.Http.PostAsync("/api/services", new StringContent("""
            {"name": "checkout", "environments": [{"name": "production", "metrics": {"target": "http://x/metrics", "scheme": "ftp"}}]}
            """, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("environments[0].metrics.target", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("environments[0].metrics.scheme", out _), errors.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/services/checkout")).StatusCode);
    }
}

public sealed class CatalogScrapeTargetsOnSqlite : CatalogScrapeTargetsTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class CatalogScrapeTargetsOnPostgres(PostgresServer postgres) : CatalogScrapeTargetsTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

public sealed class CatalogScrapeConfigTests
{
    [Fact]
    public void Catalog_metrics_endpoint_mistakes_are_reported_with_line_and_reason()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            services:
              - name: checkout
                environments:
                  - name: production
                    metrics: {target: "10.0.0.5:9100/metrics", path: metrics, interval: 0s}
                  - name: staging
                    metrics: {path: /metrics, scheme: ftp}
            metrics:
              scrape_configs:
                - job_name: catalog
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:5:27: \"10.0.0.5:9100/metrics\" is not host:port",
                "vigil.yaml:5:58: \"metrics\" is not a path starting with /",
                "vigil.yaml:5:77: must be at least 1s",
                "vigil.yaml:7:18: missing required key \"target\"",
                "vigil.yaml:7:43: must be http or https",
                "vigil.yaml:10:17: \"catalog\" is the job of the service catalog's metrics endpoints (services[].environments[].metrics); choose another name",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}
