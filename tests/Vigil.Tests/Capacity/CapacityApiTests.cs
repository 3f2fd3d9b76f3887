using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Capacity;

/// <summary>
/// A storage resource whose usage grows by one GB an hour (24 a day) over ten days, sent by remote
/// write: its headroom now, the date its trend reaches the limit, its growth projection, the
/// generated "runs out" alert, and the answers to bad forecast requests.
/// </summary>
public abstract class CapacityApiTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: api
        alerting:
          evaluation_interval: 1m
        capacity:
          services:
            api:
              resources:
                storage:
                  unit: GB
                  limit: 1000
                  usage: sum(db_size_gb{service="api"})
                  growth: 3x/year
                  history: 10d
                  runs_out_within: 60d
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(await DatabaseAsync(), Config);
        // 100 GB ten days ago, one more each hour, sampled every 5 minutes: 340 GB now.
        var now = server.Clock.GetUtcNow();
        var points = Enumerable.Range(0, 2881).Select(i => new Sample(now.AddMinutes((5 * i) - 14400).ToUnixTimeMilliseconds(), 100 + (5 * i / 60.0))).ToList();
        await History.PushAsync(server, new TimeSeries(Labels.Of("__name__", "db_size_gb", "service", "api"), points));
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Capacity_shows_usage_limit_and_headroom_now()
    {
        var viewer = await server.ClientFor("viewer");

        var service = (await viewer.GetFromJsonAsync<JsonElement>("/api/capacity")).EnumerateArray().Single();

        Assert.Equal("api", service.GetProperty("service").GetString());
        var storage = service.GetProperty("resources").EnumerateArray().Single();
        Assert.Equal(("storage", "GB", 1000.0, 340.0, 660.0, 0.34),
            (storage.GetProperty("name").GetString(), storage.GetProperty("unit").GetString(), storage.GetProperty("limit").GetDouble(),
             storage.GetProperty("current").GetDouble(), storage.GetProperty("headroom").GetDouble(), storage.GetProperty("utilisation").GetDouble()));
        var trigger = service.GetProperty("triggers").EnumerateArray().Single();
        Assert.Equal("predict_linear((sum(db_size_gb{service=\"api\"}))[10d:20m], 5184000) > 1000", trigger.GetProperty("expr").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/capacity/web")).StatusCode);
    }

    [Fact]
    public async Task The_trend_reaches_the_limit_on_the_computed_date_and_growth_compounds_from_now()
    {
        var now = server.Clock.GetUtcNow();

        var byResource = await server.Http.GetFromJsonAsync<JsonElement>("/api/capacity/api/forecast?resource=storage&horizon=90d");
        var byQuery = await server.Http.GetFromJsonAsync<JsonElement>("/api/forecast?query=sum(db_size_gb{service=\"api\"})&horizon=90d&limit=1000&history=10d");

        foreach (var forecast in new[] { byResource, byQuery })
        {
            Assert.Equal("20m", forecast.GetProperty("step").GetString());
            var series = forecast.GetProperty("series").EnumerateArray().Single();
            // 660 GB to go at 24 a day: 27.5 days, within one step (20m) of the history's resolution.
            var reached = series.GetProperty("limit_reached_by_trend").GetDateTimeOffset();
            Assert.InRange(reached, now.AddDays(27.5).AddMinutes(-20), now.AddDays(27.5).AddMinutes(20));
            Assert.Equal(24, series.GetProperty("slope_per_day").GetDouble(), 6);
            Assert.Equal(340, series.GetProperty("current").GetDouble());
            Assert.Equal(["now", "+6 months", "+12 months"], series.GetProperty("projection").EnumerateArray().Select(r => r.GetProperty("when").GetString()));
        }
        // 3x a year from 340 GB: 1020 GB in twelve months; 1000 GB at ln(1000/340)/ln 3 years.
        var projection = byResource.GetProperty("series")[0].GetProperty("projection");
        Assert.Equal(1020, projection[2].GetProperty("growth").GetDouble(), 6);
        Assert.Equal(340 * Math.Sqrt(3), projection[1].GetProperty("growth").GetDouble(), 6);
        var byGrowth = byResource.GetProperty("series")[0].GetProperty("limit_reached_by_growth").GetDateTimeOffset();
        Assert.Equal(now.AddDays(365 * Math.Log(1000.0 / 340) / Math.Log(3)), byGrowth, TimeSpan.FromSeconds(1));
        Assert.Equal(JsonValueKind.Null, byQuery.GetProperty("series")[0].GetProperty("limit_reached_by_growth").ValueKind);
    }

    [Fact]
    public async Task The_runs_out_alert_fires_when_the_trend_reaches_the_limit_within_its_time()
    {
        await server.AdvanceAndEvaluateAsync(TimeSpan.FromMinutes(1));

        var alert = Assert.Single(History.FiringAlerts(server, "capacity:api"));
        Assert.Equal(("CapacityRunsOut", "storage", "scale_up"), (alert.Labels.Get("alertname"), alert.Labels.Get("resource"), alert.Labels.Get("capacity_action")));
        var groups = (await server.Http.GetFromJsonAsync<JsonElement>("/api/rules")).GetProperty("groups").EnumerateArray();
        Assert.Contains(groups, g => g.GetProperty("generated_by").GetString() == "capacity:api");
    }

    [Fact]
    public async Task The_capacity_page_shows_headroom_the_limit_date_the_projection_and_a_dashed_forecast()
    {
        var viewer = await server.ClientFor("viewer");

        var page = System.Net.WebUtility.HtmlDecode(await viewer.GetStringAsync("/capacity"));

        // 340 of 1,000 GB used; the trend (24 GB a day) reaches 1,000 GB 27.5 days after 2026-11-02 09:00.
        Assert.Contains("<td>340 GB</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>660 GB</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>34 %</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>2026-11-29</td>", page, StringComparison.Ordinal);
        // +12 months: 340 + 24 × 365 by the trend, 3 × 340 by 3x/year.
        Assert.Contains("<tr><th>+12 months</th><td>9,100 GB</td><td>1,020 GB</td></tr>", page, StringComparison.Ordinal);
        Assert.Contains("stroke-dasharray=\"6 4\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/forecast?query=sum(db_size_gb&horizon=30d", "query")]
    [InlineData("/api/forecast?query=db_size_gb&horizon=-1d", "horizon")]
    [InlineData("/api/forecast?query=db_size_gb&limit=lots", "limit")]
    [InlineData("/api/forecast?query=db_size_gb&growth=3x/0d", "growth")]
    [InlineData("/api/forecast?query=db_size_gb&history=5m", "history")]
    [InlineData("/api/capacity/api/forecast?resource=memory", "resource")]
    public async Task A_bad_forecast_request_is_a_problem_naming_the_field(string path, string field)
    {
        var response = await server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
    }
}

public sealed class CapacityApiOnSqlite : CapacityApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class CapacityApiOnPostgres(PostgresServer postgres) : CapacityApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
