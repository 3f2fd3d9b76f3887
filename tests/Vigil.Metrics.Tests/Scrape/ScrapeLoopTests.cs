using Vigil.Metrics.Scrape;

namespace Vigil.Metrics.Tests.Scrape;

public class ScrapeLoopTests
{
    private const string NodeMetrics = """
        # HELP node_load1 1m load average.
        # TYPE node_load1 gauge
        node_load1 0.25
        node_filesystem_free_bytes{mountpoint="/"} 1024
        node_filesystem_free_bytes{mountpoint="/home"} 2048

        """;

    [Fact]
    public async Task A_scrape_stores_samples_with_target_labels_and_report_series()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse(NodeMetrics));
        var loop = new ScrapeLoop(ScrapeTestKit.Target(server.Address), kit.Http, kit.Appender, kit.Clock);

        var report = await loop.ScrapeOnceAsync();

        Assert.True(report.Up, report.Error);
        var instance = server.Address;
        Assert.Equal([$"node_load1{{env=\"test\", instance=\"{instance}\", job=\"node\"}} 0.25 @0"], kit.Dump("node_load1"));
        Assert.Equal(2, kit.Dump("node_filesystem_free_bytes").Count);
        Assert.Equal([$"up{{env=\"test\", instance=\"{instance}\", job=\"node\"}} 1 @0"], kit.Dump("up"));
        Assert.Equal([$"scrape_samples_scraped{{env=\"test\", instance=\"{instance}\", job=\"node\"}} 3 @0"], kit.Dump("scrape_samples_scraped"));
        Assert.Equal([$"scrape_series_added{{env=\"test\", instance=\"{instance}\", job=\"node\"}} 3 @0"], kit.Dump("scrape_series_added"));
        Assert.Single(kit.Dump("scrape_duration_seconds"));
        Assert.Single(kit.Dump("scrape_samples_post_metric_relabeling"));
        Assert.Equal("1m load average.", Assert.Single(loop.Metadata).Help);
    }

    [Fact]
    public async Task The_request_asks_for_openmetrics_first_and_accepts_gzip_like_prometheus()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse("m 1\n# EOF\n", "application/openmetrics-text; version=1.0.0; charset=utf-8", Gzip: true));
        var loop = new ScrapeLoop(ScrapeTestKit.Target(server.Address), kit.Http, kit.Appender, kit.Clock);

        var report = await loop.ScrapeOnceAsync();

        Assert.True(report.Up, report.Error);
        Assert.Single(kit.Dump("m"));
        Assert.True(server.Requests.TryDequeue(out var request));
        Assert.StartsWith("GET /metrics HTTP/1.1", request);
        Assert.Contains("Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", request);
        Assert.Contains("Accept-Encoding: gzip", request);
        Assert.Contains("X-Prometheus-Scrape-Timeout-Seconds: 5", request);
    }

    [Fact]
    public async Task Series_that_disappear_get_a_stale_marker_at_the_next_scrape()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse(NodeMetrics));
        var loop = new ScrapeLoop(ScrapeTestKit.Target(server.Address), kit.Http, kit.Appender, kit.Clock);
        await loop.ScrapeOnceAsync();

        server.Response = new MetricsResponse("node_load1 0.5\nnode_filesystem_free_bytes{mountpoint=\"/\"} 1000\n");
        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        var report = await loop.ScrapeOnceAsync();

        var instance = server.Address;
        Assert.Equal(
            [
                $"node_filesystem_free_bytes{{env=\"test\", instance=\"{instance}\", job=\"node\", mountpoint=\"/\"}} 1000 @10000",
                $"node_filesystem_free_bytes{{env=\"test\", instance=\"{instance}\", job=\"node\", mountpoint=\"/\"}} 1024 @0",
                $"node_filesystem_free_bytes{{env=\"test\", instance=\"{instance}\", job=\"node\", mountpoint=\"/home\"}} 2048 @0",
                $"node_filesystem_free_bytes{{env=\"test\", instance=\"{instance}\", job=\"node\", mountpoint=\"/home\"}} stale @10000",
            ],
            kit.Dump("node_filesystem_free_bytes"));
        Assert.Equal(0, report.Batch.SeriesAdded);
    }

    [Fact]
    public async Task A_target_that_refuses_connections_is_down_and_its_series_go_stale()
    {
        using var kit = new ScrapeTestKit();
        var server = new MetricsServer(new MetricsResponse(NodeMetrics));
        var loop = new ScrapeLoop(ScrapeTestKit.Target(server.Address), kit.Http, kit.Appender, kit.Clock);
        await loop.ScrapeOnceAsync();
        await server.DisposeAsync();

        kit.Clock.Advance(TimeSpan.FromSeconds(10));
        var report = await loop.ScrapeOnceAsync();

        Assert.False(report.Up);
        Assert.NotNull(report.Error);
        Assert.Equal(["0 @10000", "1 @0"], kit.Dump("up").Select(s => s[(s.IndexOf('}', StringComparison.Ordinal) + 2)..]));
        Assert.EndsWith("stale @10000", kit.Dump("node_load1").Last());
        Assert.All(kit.Dump("node_filesystem_free_bytes").Where(s => s.EndsWith("@10000", StringComparison.Ordinal)), s => Assert.Contains("stale", s));
    }

    public static TheoryData<MetricsResponse, string> Failures => new()
    {
        { new MetricsResponse("oops", Status: 500), "server returned HTTP status 500 Error" },
        { new MetricsResponse("m{1a=\"x\"} 1\n"), "line 1: invalid label name \"1a\"" },
        { new MetricsResponse("m 1\n", "application/openmetrics-text; version=1.0.0"), "line 1: data does not end with # EOF" },
        { new MetricsResponse("# " + new string('x', 2000)), "body size limit of 1000 bytes exceeded" },
        { new MetricsResponse("# " + new string('x', 2000), Gzip: true), "body size limit of 1000 bytes exceeded" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_bad_answer_sets_up_to_zero_with_the_reason(MetricsResponse response, string expected)
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(response);
        var config = new ScrapeConfig { JobName = "node", Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(5), BodySizeLimitBytes = 1000 };
        var loop = new ScrapeLoop(ScrapeTestKit.Target(server.Address, config), kit.Http, kit.Appender, kit.Clock);

        var report = await loop.ScrapeOnceAsync();

        Assert.Equal(expected, report.Error);
        Assert.EndsWith("} 0 @0", Assert.Single(kit.Dump("up")));
    }

    [Fact]
    public async Task A_target_slower_than_the_timeout_is_down()
    {
        using var kit = new ScrapeTestKit();
        await using var server = new MetricsServer(new MetricsResponse("", Hang: true));
        var loop = new ScrapeLoop(ScrapeTestKit.Target(server.Address), kit.Http, kit.Appender, kit.Clock);
        var received = server.RequestReceived.Task;

        var scrape = loop.ScrapeOnceAsync();
        await received.WaitAsync(TimeSpan.FromSeconds(10));
        kit.Clock.Advance(TimeSpan.FromSeconds(5));
        var report = await scrape.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("scrape timed out after 5s", report.Error);
        Assert.EndsWith("} 0 @0", Assert.Single(kit.Dump("up")));
    }
}
