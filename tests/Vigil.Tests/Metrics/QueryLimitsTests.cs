using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

/// <summary><c>metrics.query_max_samples</c> and the engine's query figures on /metrics.</summary>
public sealed class QueryLimitsTests : IAsyncLifetime
{
    private TestServer server = null!;

    // 200 samples at 15 s from t=0: the last is at 2985 s.
    private const double End = 2985;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: "metrics:\n  query_max_samples: 100\n");
        var series = new TimeSeries(Labels.Of("__name__", "requests_total", "job", "api"), [.. Enumerable.Range(0, 200).Select(i => new Sample(i * 15_000L, i))]);
        var content = new ByteArrayContent(RemoteWriteEncoder.Encode(new WriteRequest([series], [])));
        content.Headers.ContentType = new(RemoteWriteEncoder.ContentType);
        content.Headers.ContentEncoding.Add("snappy");
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.PostAsync("/prometheus/api/v1/write", content)).StatusCode);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static string Q(string query) => Uri.EscapeDataString(query);

    [Fact]
    public async Task A_query_that_would_hold_more_samples_than_the_limit_is_refused_as_Prometheus_refuses_it()
    {
        // An hour of 15 s samples is 240 > 100.
        var response = await server.Http.GetAsync($"/prometheus/api/v1/query?query={Q("count_over_time(requests_total[1h])")}&time={End}");

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Equal(
            """{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}""",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetRawText());

        // Within the limit the same data answers (Prometheus 2.42 windows include both ends).
        var small = await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Q("count_over_time(requests_total[10m])")}&time={End}");
        Assert.Equal("41", small.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
    }

    [Fact]
    public async Task Query_durations_by_kind_and_samples_loaded_are_on_the_metrics_page()
    {
        var before = await MetricsAsync();

        await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query?query={Q("sum_over_time(requests_total[10m])")}&time={End}");
        await server.Http.GetFromJsonAsync<JsonElement>($"/prometheus/api/v1/query_range?query={Q("requests_total")}&start=2000&end={End}&step=15");

        var after = await MetricsAsync();
        // Other tests in this process query too, so the figures grow at least by ours.
        Assert.True(Delta("vigil_promql_query_duration_seconds_count{kind=\"instant\"}") >= 1, Show());
        Assert.True(Delta("vigil_promql_query_duration_seconds_count{kind=\"range\"}") >= 1, Show());
        Assert.True(Delta("vigil_promql_query_samples_loaded_total{kind=\"instant\"}") >= 41, Show());
        Assert.True(Delta("vigil_promql_query_samples_loaded_total{kind=\"range\"}") >= 66, Show());
        Assert.Contains("vigil_promql_query_duration_seconds_bucket{kind=\"range\",le=\"0.1\"}", after.Keys);

        double Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        string Show() => string.Join("\n", after.Where(kv => kv.Key.StartsWith("vigil_promql", StringComparison.Ordinal)).Select(kv => $"{kv.Key} {before.GetValueOrDefault(kv.Key)} -> {kv.Value}"));
    }

    [Fact]
    public void A_sample_limit_below_one_is_refused_with_its_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", "metrics:\n  query_max_samples: 0\n", new Hashtable());

        Assert.Equal(["vigil.yaml:2:22: must be at least 1"], loaded.Errors.Select(e => e.ToString()));
    }

    private async Task<Dictionary<string, double>> MetricsAsync()
    {
        var text = await server.Http.GetStringAsync("/metrics");
        return Regex.Matches(text, @"^(vigil_promql_\S+) (\S+)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }
}
