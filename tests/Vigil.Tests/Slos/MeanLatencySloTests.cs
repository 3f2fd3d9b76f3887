using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Metrics.Storage;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Slos;

/// <summary>
/// A mean-latency SLO (seed 004's "Response Time: &lt;200ms average") over a scripted history of a
/// summary's _sum and _count sent by remote write: the budget spent is exactly the bad minutes over
/// (1 − target) × the minutes with requests, and the generated fast-burn alert fires.
/// </summary>
public abstract class MeanLatencySloTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
        alerting:
          evaluation_interval: 1m
        slos:
          - name: checkout-mean-latency
            service: checkout
            target: 99
            window: 30d
            mean_latency:
              metric: http_request_duration_seconds
              selector: service="checkout"
              threshold: 200ms
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>
    /// Three days of a summary scraped every 30 s up to the minute that holds now (slices −4319 … 0
    /// of one minute each, aligned as PromQL aligns subquery steps): 10 requests per scrape, each of
    /// them taking <paramref name="meanAt"/>(slice) seconds, the slice being the minute a scrape's
    /// increase falls in. Counters start high so no range extrapolates towards zero.
    /// </summary>
    private async Task SendHistoryAsync(Func<int, double> meanAt)
    {
        var end = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var sums = new List<Sample>();
        var counts = new List<Sample>();
        double sum = 1_000_000, count = 1_000_000;
        for (var step = -4320 * 2; step <= 0; step++)
        {
            if (step > -4320 * 2)
            {
                var slice = (int)Math.Ceiling(step / 2.0);
                count += 10;
                sum += 10 * meanAt(slice);
            }
            sums.Add(new Sample(end + (step * 30_000L), sum));
            counts.Add(new Sample(end + (step * 30_000L), count));
        }
        var body = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(
        [
            new TimeSeries(Labels.Of("__name__", "http_request_duration_seconds_sum", "service", "checkout"), sums),
            new TimeSeries(Labels.Of("__name__", "http_request_duration_seconds_count", "service", "checkout"), counts),
            // Another service's slow requests are not this SLO's.
            new TimeSeries(Labels.Of("__name__", "http_request_duration_seconds_sum", "service", "search"), [.. sums.Select(s => s with { Value = s.Value * 10 })]),
            new TimeSeries(Labels.Of("__name__", "http_request_duration_seconds_count", "service", "search"), counts),
        ], [])));
        body.Headers.ContentType = new("application/x-protobuf");
        body.Headers.ContentEncoding.Add("snappy");
        var response = await server.Http.PostAsync("/prometheus/api/v1/write", body);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Minutes_whose_mean_crosses_200ms_spend_exactly_their_share_of_the_budget_and_page_when_burning_fast()
    {
        // 100 ms normally; 250 ms for 20 minutes two days ago and 300 ms for the last 10 minutes: 30 bad minutes.
        await SendHistoryAsync(slice => slice is >= -2000 and < -1980 ? 0.25 : slice > -10 ? 0.3 : 0.1);

        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-mean-latency");

        Assert.Equal("mean_latency", slo.GetProperty("kind").GetString());
        // 4,320 minutes with requests, 30 bad: 99 % allows 43.2 of them, so 30 / 43.2 = 69.44 % is spent.
        Assert.Equal(1 - (30 / 43.2), slo.GetProperty("budget_remaining").GetDouble(), 6);
        Assert.Equal(1 - (30 / 4320.0), slo.GetProperty("attainment").GetDouble(), 6);
        var burn = slo.GetProperty("burn_rates").EnumerateArray().ToDictionary(b => b.GetProperty("window").GetString()!, b => b.GetProperty("burn_rate").GetDouble());
        // A subquery [w:1m] at now steps through the minutes of [now − w, now], both ends included
        // as Prometheus 2.x ranges are (now is on a minute): 5m holds 6 minutes, all bad, 1 / 0.01;
        // 30m: 10 / 31; 1h: 10 / 61; 3d: 30 / 4320 (its first minute has a single scrape, so no rate).
        Assert.Equal(100.0, burn["5m"], 6);
        Assert.Equal(10 / 31.0 / 0.01, burn["30m"], 6);
        Assert.Equal(10 / 61.0 / 0.01, burn["1h"], 6);
        Assert.Equal(30 / 4320.0 / 0.01, burn["3d"], 6);

        // The next evaluation runs a minute later, whose minute has no requests: its 1h holds
        // 60 minutes with requests, 10 of them bad (16.7 % > 14.4 × 1 %), and its 5m 5 of 5.
        await server.AdvanceAndEvaluateAsync(TimeSpan.FromMinutes(1));
        var alert = server.Services.GetRequiredService<EvaluateRules>().Groups
            .Where(g => g.Group.GeneratedBy == "slo:checkout-mean-latency")
            .SelectMany(g => g.Rules).SelectMany(r => r.Alerts)
            .SingleOrDefault(a => a.Labels.Get("burn_rate") == "14.4" && a.Phase == AlertPhase.Firing);
        Assert.NotNull(alert);
        Assert.Equal(10 / 60.0, alert.Value, 6);
    }

    [Fact]
    public async Task A_mean_at_the_threshold_is_bad_and_minutes_without_requests_count_for_nothing()
    {
        // Exactly 200 ms is not under 200 ms: the last 3 minutes are bad, the rest good.
        await SendHistoryAsync(slice => slice > -3 ? 0.2 : 0.05);

        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-mean-latency");

        Assert.Equal(1 - (3 / 43.2), slo.GetProperty("budget_remaining").GetDouble(), 6);
        var viewer = await server.ClientFor("viewer");
        var page = System.Net.WebUtility.HtmlDecode(await viewer.GetStringAsync("/slos/checkout-mean-latency"));
        Assert.Contains("is under 200 ms", page, StringComparison.Ordinal);
        Assert.Contains("93.056 %", page, StringComparison.Ordinal);
    }
}

public sealed class MeanLatencySloOnSqlite : MeanLatencySloTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class MeanLatencySloOnPostgres(PostgresServer postgres) : MeanLatencySloTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
