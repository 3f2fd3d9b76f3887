using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Capacity;

/// <summary>
/// An anomaly template over four weeks and three hours of request counters sent by remote write:
/// it fires on a 4-sigma spike, not on the weekly peak its baseline already holds, and not in a quiet
/// service below the minimum volume.
/// </summary>
public abstract class AnomalyRuleTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
          - name: payments
          - name: search
        alerting:
          evaluation_interval: 1m
        capacity:
          anomaly:
            - name: requests
              series: sum by (service) (rate(http_requests_total[1h]))
              k: 3
              weeks: 4
              min_volume: 1
        """;

    /// <summary>The same hour a week, two, three and four weeks ago is 0.9, 1.0, 1.1 and 1.0 times usual: mean 1, population σ √0.005 ≈ 0.0707.</summary>
    private static readonly double[] WeekFactors = [1.0, 0.9, 1.0, 1.1, 1.0];

    private static readonly double Sigma = Math.Sqrt(0.005);

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>
    /// A counter every 5 minutes from four weeks and four hours ago until now, whose rate a second is
    /// <paramref name="usual"/>, except in the hours around this hour of the week ([−3h, +1h] of now,
    /// a week ago, two weeks ago, ...), where it is <paramref name="atThisHour"/> times that week's
    /// factor, or <paramref name="now"/> in the current week.
    /// </summary>
    private TimeSeries Requests(string service, double usual, double atThisHour, double now)
    {
        var end = server.Clock.GetUtcNow();
        var week = TimeSpan.FromDays(7);
        var samples = new List<Sample>();
        var counter = 1_000_000.0;
        for (var t = end - (4 * week) - TimeSpan.FromHours(4); t <= end; t += TimeSpan.FromMinutes(5))
        {
            samples.Add(new Sample(t.ToUnixTimeMilliseconds(), counter));
            var weeksAgo = (int)Math.Round((end - t) / week);
            var fromThisHour = t - (end - (weeksAgo * week));
            var rate = fromThisHour >= TimeSpan.FromHours(-3) && fromThisHour < TimeSpan.FromHours(1)
                ? weeksAgo == 0 ? now : atThisHour * WeekFactors[weeksAgo]
                : usual;
            counter += rate * 300;
        }
        return new TimeSeries(Labels.Of("__name__", "http_requests_total", "service", service), samples);
    }

    [Fact]
    public async Task Fires_on_a_four_sigma_spike_not_on_the_weekly_peak_nor_below_the_minimum_volume()
    {
        await History.PushAsync(server,
            // Three times busier at this hour every week, and now: the baseline holds the peak.
            Requests("checkout", usual: 10, atThisHour: 30, now: 30),
            // 10 a second at this hour every week; now 4σ above.
            Requests("payments", usual: 10, atThisHour: 10, now: 10 * (1 + (4 * Sigma))),
            // Ten σ above, but 0.17 a second is below min_volume 1.
            Requests("search", usual: 0.1, atThisHour: 0.1, now: 0.1 * (1 + (10 * Sigma))));

        await server.AdvanceAndEvaluateAsync(TimeSpan.FromMinutes(1));

        var alert = Assert.Single(History.FiringAlerts(server, "anomaly:requests"));
        Assert.Equal(("SeasonalAnomaly", "payments", "requests"), (alert.Labels.Get("alertname"), alert.Labels.Get("service"), alert.Labels.Get("anomaly")));
        Assert.Equal(10 * 4 * Sigma, alert.Value, 6);
        var mean = await QueryAsync("anomaly:requests:baseline_mean");
        var stddev = await QueryAsync("anomaly:requests:baseline_stddev");
        // The weekly peak is in the baseline: checkout's mean at this hour is 30 a second, not its usual 10.
        Assert.Equal(30, mean["checkout"], 6);
        Assert.Equal(30 * Sigma, stddev["checkout"], 6);
        Assert.Equal(10, mean["payments"], 6);
    }

    private async Task<Dictionary<string, double>> QueryAsync(string query)
    {
        var body = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={server.Clock.GetUtcNow().ToUnixTimeSeconds()}");
        return body.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            r => r.GetProperty("metric").GetProperty("service").GetString()!,
            r => double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class AnomalyRuleOnSqlite : AnomalyRuleTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AnomalyRuleOnPostgres(PostgresServer postgres) : AnomalyRuleTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
