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
/// A ratio SLO over a scripted request history sent by remote write: its budget and burn rates
/// against hand-computed values, and the 14.4x page alert of its generated rules.
/// </summary>
public abstract class BurnRateTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
        alerting:
          evaluation_interval: 1m
        slos:
          - name: checkout-availability
            service: checkout
            target: 99.9
            window: 30d
            ratio:
              good: sum(rate(http_requests_total{service="checkout",code!~"5.."}[{{.window}}]))
              total: sum(rate(http_requests_total{service="checkout"}[{{.window}}]))
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>
    /// Three days of counters scraped once a minute up to now (minutes −4320 … 0): 100 requests a
    /// minute, of which <paramref name="errorsAt"/>(minute) failed with a 500. Both counters start at
    /// 1,000,000 so no window extrapolates them towards zero, and as every series has the same
    /// timestamps, PromQL's extrapolation scales good and total alike: a window's error ratio is
    /// exactly (errors increase) / (requests increase) between its first and last sample.
    /// </summary>
    private async Task SendHistoryAsync(Func<int, int> errorsAt)
    {
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var ok = new List<Sample>();
        var failed = new List<Sample>();
        double okCount = 1_000_000, failedCount = 1_000_000;
        for (var minute = -4320; minute <= 0; minute++)
        {
            if (minute > -4320)
            {
                var errors = errorsAt(minute);
                okCount += 100 - errors;
                failedCount += errors;
            }
            ok.Add(new Sample(now + (minute * 60_000L), okCount));
            failed.Add(new Sample(now + (minute * 60_000L), failedCount));
        }
        var body = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest(
        [
            new TimeSeries(Labels.Of("__name__", "http_requests_total", "code", "200", "service", "checkout"), ok),
            new TimeSeries(Labels.Of("__name__", "http_requests_total", "code", "500", "service", "checkout"), failed),
        ], [])));
        body.Headers.ContentType = new("application/x-protobuf");
        body.Headers.ContentEncoding.Add("snappy");
        var response = await server.Http.PostAsync("/prometheus/api/v1/write", body);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>The 14.4x (1h and 5m) pair's alert after the next evaluation, or null when it is not firing.</summary>
    private async Task<AlertSnapshot?> FastBurnAlertAfterNextEvaluationAsync()
    {
        await server.AdvanceAndEvaluateAsync(TimeSpan.FromMinutes(1));
        return server.Services.GetRequiredService<EvaluateRules>().Groups
            .Where(g => g.Group.GeneratedBy == "slo:checkout-availability")
            .SelectMany(g => g.Rules).SelectMany(r => r.Alerts)
            .SingleOrDefault(a => a.Labels.Get("burn_rate") == "14.4" && a.Phase == AlertPhase.Firing);
    }

    [Fact]
    public async Task Budget_and_burn_rates_match_the_hand_computed_values_and_the_fast_burn_alert_fires()
    {
        // An hour at 2 errors a minute two days ago (120), and 20 errors a minute for the last 10 minutes (200).
        await SendHistoryAsync(minute => minute is >= -2000 and < -1940 ? 2 : minute > -10 ? 20 : 0);

        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-availability");

        // 30d window: all 4,321 samples, 4,320 minutes = 432,000 requests, 320 errors.
        // error ratio 320 / 432000 = 0.000740741; budget remaining 1 − 0.000740741 / 0.001 = 0.259259.
        Assert.Equal(0.259259, slo.GetProperty("budget_remaining").GetDouble(), 4);
        Assert.Equal(0.999259, slo.GetProperty("attainment").GetDouble(), 4);
        var burn = slo.GetProperty("burn_rates").EnumerateArray().ToDictionary(b => b.GetProperty("window").GetString()!, b => b.GetProperty("burn_rate").GetDouble());
        // A range selector [w] at now holds the samples of [now − w, now] (Prometheus 2.x includes both
        // ends), so minutes −w … 0 and an increase over w minutes.
        // 5m: 500 requests, 100 errors: 0.2 / 0.001 = 200.
        Assert.Equal(200.0, burn["5m"], 4);
        // 30m: 3,000 requests, 200 errors: 0.0666667 → 66.6667.
        Assert.Equal(66.6667, burn["30m"], 4);
        // 1h: 6,000 requests, 200 errors: 0.0333333 → 33.3333.
        Assert.Equal(33.3333, burn["1h"], 4);
        // 2h: 200 / 12000 → 16.6667.
        Assert.Equal(16.6667, burn["2h"], 4);
        // 6h: 200 / 36000 → 5.5556.
        Assert.Equal(5.5556, burn["6h"], 4);
        // 1d: 200 / 144000 → 1.3889.
        Assert.Equal(1.3889, burn["1d"], 4);
        // 3d: all three days, 320 / 432000 → 0.7407.
        Assert.Equal(0.7407, burn["3d"], 4);
        // 99.9 % allows 8.77 hours a year and 43.8 minutes a month.
        Assert.Equal("8.77 hours", slo.GetProperty("allowed_downtime").GetProperty("per_year").GetString());
        Assert.Equal("43.8 minutes", slo.GetProperty("allowed_downtime").GetProperty("per_month").GetString());

        // 1h (33.3x) and 5m (200x) both above 14.4x: the page fires at the next evaluation. It runs at
        // a slot in (now, now + 1m] after the last sample, so its 1h range holds minutes −59 … 0: 200 / 5900.
        var alert = await FastBurnAlertAfterNextEvaluationAsync();
        Assert.NotNull(alert);
        Assert.Equal(("page", "checkout", "1h", "5m"), (alert.Labels.Get("severity"), alert.Labels.Get("service"), alert.Labels.Get("long_window"), alert.Labels.Get("short_window")));
        Assert.Equal(200.0 / 5900, alert.Value, 6);
    }

    [Fact]
    public async Task The_console_lists_the_budget_remaining_and_charts_the_burn_on_the_slo_page()
    {
        await SendHistoryAsync(minute => minute is >= -2000 and < -1940 ? 2 : minute > -10 ? 20 : 0);
        var viewer = await server.ClientFor("viewer");

        var list = System.Net.WebUtility.HtmlDecode(await viewer.GetStringAsync("/slos"));
        var detail = System.Net.WebUtility.HtmlDecode(await viewer.GetStringAsync("/slos/checkout-availability"));

        // The same figures as the API: budget 25.926 %, 1h burn 33.33x, 8.77 hours a year.
        Assert.Contains("25.926 %", list, StringComparison.Ordinal);
        Assert.Contains("33.33x", list, StringComparison.Ordinal);
        Assert.Contains("8.77 hours a year", list, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"burn\"", detail, StringComparison.Ordinal);
        Assert.Contains("<polyline class=\"budget\"", detail, StringComparison.Ordinal);
        Assert.Contains("<tr data-window=\"5m\"><td>5m</td><td>20 %</td><td>200x</td></tr>", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fast_burn_alert_stays_silent_when_only_the_long_window_burns()
    {
        // 20 errors a minute from minute −50 to −21, none since: 1h 600 / 5900 = 0.1017 (101.7x), 5m 0 (0x).
        await SendHistoryAsync(minute => minute is >= -50 and <= -21 ? 20 : 0);

        Assert.Null(await FastBurnAlertAfterNextEvaluationAsync());
    }

    [Fact]
    public async Task The_fast_burn_alert_stays_silent_when_only_the_short_window_burns()
    {
        // 20 errors a minute for the last 3 minutes: at the evaluation (minutes −4 … 0 and −59 … 0 in its
        // ranges) 5m 60 / 400 = 0.15 (150x), 1h 60 / 5900 = 0.0102 (10.2x < 14.4x).
        await SendHistoryAsync(minute => minute > -3 ? 20 : 0);

        Assert.Null(await FastBurnAlertAfterNextEvaluationAsync());
    }

    [Fact]
    public async Task The_generated_rules_are_listed_as_generated_by_the_slo()
    {
        var rules = await (await server.ClientFor("viewer")).GetFromJsonAsync<JsonElement>("/api/rules");
        var group = rules.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("generated_by").GetString() == "slo:checkout-availability");
        var names = group.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Equal(
            ["slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate30m", "slo:sli_error:ratio_rate1h", "slo:sli_error:ratio_rate2h",
             "slo:sli_error:ratio_rate6h", "slo:sli_error:ratio_rate1d", "slo:sli_error:ratio_rate3d", "ErrorBudgetBurn", "ErrorBudgetBurn", "ErrorBudgetBurn"],
            names);
        Assert.Equal(
            "(slo:sli_error:ratio_rate1h{slo=\"checkout-availability\"} > 0.0144) and (slo:sli_error:ratio_rate5m{slo=\"checkout-availability\"} > 0.0144)",
            group.GetProperty("rules")[7].GetProperty("query").GetString());
    }
}

public sealed class BurnRateOnSqlite : BurnRateTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class BurnRateOnPostgres(PostgresServer postgres) : BurnRateTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
