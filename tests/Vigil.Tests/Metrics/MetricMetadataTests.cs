using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Tests.Monitors;
using Vigil.Tests.Support;

namespace Vigil.Tests.Metrics;

public sealed class MetricMetadataTests : IAsyncLifetime
{
    private TestServer server = null!;
    private TargetServer targets = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartAsync(configYaml: "services: []\n");
        targets = await TargetServer.StartAsync(app =>
        {
            app.MapGet("/a", () => Results.Text("""
                # HELP http_requests_total Requests served.
                # TYPE http_requests_total counter
                http_requests_total{code="200"} 7
                # HELP queue_depth Jobs waiting.
                # TYPE queue_depth gauge
                queue_depth 3
                # HELP build_info untyped, with help only
                build_info{version="1"} 1

                """, "text/plain; version=0.0.4"));
            app.MapGet("/b", () => Results.Text("""
                # HELP http_requests_total Requests served by b.
                # TYPE http_requests_total counter
                http_requests_total 1
                # HELP queue_depth Jobs waiting.
                # TYPE queue_depth gauge
                queue_depth 0

                """, "text/plain; version=0.0.4"));
        });
        var authority = new Uri(targets.Url).Authority;
        await server.WriteConfigAsync($"""
            metrics:
              scrape_configs:
                - job_name: a
                  scrape_interval: 15s
                  metrics_path: /a
                  static_configs: [{"{"}targets: ["{authority}"]{"}"}]
                - job_name: b
                  scrape_interval: 15s
                  metrics_path: /b
                  static_configs: [{"{"}targets: ["{authority}"]{"}"}]
            """);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsync("/-/reload", null)).StatusCode);
        server.Clock.Advance(TimeSpan.FromSeconds(16));
        // The scrapes are real HTTP on loopback: wait (bounded) until both have landed.
        var waited = Stopwatch.StartNew();
        while (!((await MetadataAsync("?metric=http_requests_total")).TryGetProperty("http_requests_total", out var seen) && seen.GetArrayLength() == 2)
            && waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await targets.DisposeAsync();
    }

    private async Task<JsonElement> MetadataAsync(string query = "")
    {
        var answer = await server.Http.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/metadata" + query);
        Assert.Equal("success", answer.GetProperty("status").GetString());
        return answer.GetProperty("data");
    }

    [Fact]
    public async Task Metadata_lists_each_family_the_targets_declared_with_its_distinct_type_help_and_unit()
    {
        var data = await MetadataAsync();

        Assert.Equal(
            """[{"type":"counter","help":"Requests served by b.","unit":""},{"type":"counter","help":"Requests served.","unit":""}]""",
            JsonSerializer.Serialize(data.GetProperty("http_requests_total").EnumerateArray().OrderBy(e => e.GetProperty("help").GetString(), StringComparer.Ordinal)));
        Assert.Equal("""[{"type":"gauge","help":"Jobs waiting.","unit":""}]""", data.GetProperty("queue_depth").GetRawText());
        Assert.Equal("""[{"type":"unknown","help":"untyped, with help only","unit":""}]""", data.GetProperty("build_info").GetRawText());
    }

    [Fact]
    public async Task Metadata_narrows_to_one_metric_and_caps_the_number_of_families()
    {
        var one = await MetadataAsync("?metric=queue_depth");
        Assert.Equal(["queue_depth"], one.EnumerateObject().Select(p => p.Name));

        Assert.Empty((await MetadataAsync("?metric=no_such_metric")).EnumerateObject());
        Assert.Equal(2, (await MetadataAsync("?limit=2")).EnumerateObject().Count());
        Assert.Equal(3, (await MetadataAsync("?limit=-1")).EnumerateObject().Count(p => p.Name is "http_requests_total" or "queue_depth" or "build_info"));
    }

    [Fact]
    public async Task Metadata_refuses_a_limit_that_is_not_a_number_as_Prometheus_does()
    {
        var response = await server.Http.GetAsync("/prometheus/api/v1/metadata?limit=ten");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("""{"status":"error","errorType":"bad_data","error":"limit must be a number"}""", body.GetRawText());
    }
}
