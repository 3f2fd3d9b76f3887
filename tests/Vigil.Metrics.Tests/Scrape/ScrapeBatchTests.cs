using Vigil.Metrics.Exposition;
using Vigil.Metrics.Scrape;

namespace Vigil.Metrics.Tests.Scrape;

public class ScrapeBatchTests
{
    private const long Now = 1_000_000;

    private static ScrapeTarget Target(ScrapeConfig? config = null) => new(
        Labels.Of("job", "node", "instance", "h:9100"),
        new Uri("http://h:9100/metrics"),
        config ?? new ScrapeConfig { JobName = "node" });

    private static List<ExposedSample> Exposed(string text) => [.. ExpositionParser.Parse(text, ExpositionFormat.PrometheusText).Samples];

    private static string[] Show(ScrapeBatch b) =>
        [.. b.Samples.Select(s => $"{s.Labels} {(Sample.IsStaleNaN(s.Value) ? "stale" : s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))} @{s.TimestampMs}")];

    public static TheoryData<string, string, bool, string[]> Merges => new()
    {
        { "no clash: target labels are added", "m{a=\"1\"} 1", false, ["m{a=\"1\", instance=\"h:9100\", job=\"node\"} 1 @1000000"] },
        { "clash without honor_labels: exposed label kept as exported_", "m{job=\"other\"} 1", false, ["m{exported_job=\"other\", instance=\"h:9100\", job=\"node\"} 1 @1000000"] },
        { "clash with an exported_ name taken: prefixed again", "m{job=\"x\",exported_job=\"y\"} 1", false, ["m{exported_exported_job=\"x\", exported_job=\"y\", instance=\"h:9100\", job=\"node\"} 1 @1000000"] },
        { "clash with honor_labels: exposed label wins", "m{job=\"other\"} 1", true, ["m{instance=\"h:9100\", job=\"other\"} 1 @1000000"] },
    };

    [Theory]
    [MemberData(nameof(Merges))]
    public void Target_labels_merge_with_exposed_labels_like_prometheus(string why, string exposition, bool honorLabels, string[] expected)
    {
        var batch = ScrapeBatch.ForSuccess(Exposed(exposition), Target(new ScrapeConfig { JobName = "node", HonorLabels = honorLabels }), Now, new HashSet<Labels>());

        Assert.True(expected.SequenceEqual(Show(batch)), $"{why}: got {string.Join(" | ", Show(batch))}");
    }

    [Fact]
    public void Exposed_timestamps_are_kept_when_honored_and_such_series_are_not_tracked_for_staleness()
    {
        var exposed = Exposed("a 1 5000\nb 2");

        var honored = ScrapeBatch.ForSuccess(exposed, Target(), Now, new HashSet<Labels>());
        var ignored = ScrapeBatch.ForSuccess(exposed, Target(new ScrapeConfig { JobName = "node", HonorTimestamps = false }), Now, new HashSet<Labels>());

        Assert.Equal(["a{instance=\"h:9100\", job=\"node\"} 1 @5000", "b{instance=\"h:9100\", job=\"node\"} 2 @1000000"], Show(honored));
        Assert.Equal(["b"], honored.Series.Select(l => l.MetricName));
        Assert.Equal(["a{instance=\"h:9100\", job=\"node\"} 1 @1000000", "b{instance=\"h:9100\", job=\"node\"} 2 @1000000"], Show(ignored));
        Assert.Equal(2, ignored.Series.Count);
    }

    [Fact]
    public void Series_gone_since_the_previous_scrape_get_a_stale_marker_and_new_ones_count_as_added()
    {
        var first = ScrapeBatch.ForSuccess(Exposed("a 1\nb 1"), Target(), Now, new HashSet<Labels>());

        var second = ScrapeBatch.ForSuccess(Exposed("b 2\nc 2"), Target(), Now + 10_000, first.Series);

        Assert.Equal(
            [
                "b{instance=\"h:9100\", job=\"node\"} 2 @1010000",
                "c{instance=\"h:9100\", job=\"node\"} 2 @1010000",
                "a{instance=\"h:9100\", job=\"node\"} stale @1010000",
            ],
            Show(second));
        Assert.Equal((2, 2, 1), (second.SamplesScraped, second.SamplesPostRelabeling, second.SeriesAdded));
        Assert.Equal((2, 2, 2), (first.SamplesScraped, first.SamplesPostRelabeling, first.SeriesAdded));
    }

    [Fact]
    public void A_failed_scrape_marks_every_previous_series_stale_and_forgets_them()
    {
        var first = ScrapeBatch.ForSuccess(Exposed("a 1\nb 1"), Target(), Now, new HashSet<Labels>());

        var failed = ScrapeBatch.ForFailure(Now + 10_000, first.Series, "connection refused");

        Assert.Equal(2, failed.Samples.Count(s => Sample.IsStaleNaN(s.Value) && s.TimestampMs == Now + 10_000));
        Assert.Empty(failed.Series);
        Assert.Equal(
            ["up{instance=\"h:9100\", job=\"node\"} 0 @1010000", "scrape_duration_seconds{instance=\"h:9100\", job=\"node\"} 0.25 @1010000",
             "scrape_samples_scraped{instance=\"h:9100\", job=\"node\"} 0 @1010000", "scrape_samples_post_metric_relabeling{instance=\"h:9100\", job=\"node\"} 0 @1010000",
             "scrape_series_added{instance=\"h:9100\", job=\"node\"} 0 @1010000"],
            Show(failed with { Samples = failed.Report(Target(), Now + 10_000, TimeSpan.FromMilliseconds(250)) }));
    }

    [Fact]
    public void Metric_relabelling_drops_samples_and_the_report_counts_what_is_left()
    {
        var config = new ScrapeConfig
        {
            JobName = "node",
            MetricRelabelConfigs = [new RelabelConfig { SourceLabels = ["__name__"], Regex = "go_.*", Action = RelabelAction.Drop }],
        };

        var batch = ScrapeBatch.ForSuccess(Exposed("go_goroutines 8\ngo_threads 9\nnode_load1 0.5"), Target(config), Now, new HashSet<Labels>());

        Assert.Equal(["node_load1{instance=\"h:9100\", job=\"node\"} 0.5 @1000000"], Show(batch));
        Assert.Equal(
            ["up 1", "scrape_duration_seconds 0", "scrape_samples_scraped 3", "scrape_samples_post_metric_relabeling 1", "scrape_series_added 1"],
            batch.Report(Target(config), Now, TimeSpan.Zero).Select(s => $"{s.Labels.MetricName} {s.Value}"));
    }

    [Fact]
    public void Relabelling_away_the_metric_name_fails_the_scrape()
    {
        var config = new ScrapeConfig { JobName = "node", MetricRelabelConfigs = [new RelabelConfig { Regex = "__name__", Action = RelabelAction.LabelDrop }] };

        var batch = ScrapeBatch.ForSuccess(Exposed("a 1"), Target(config), Now, new HashSet<Labels>());

        Assert.Equal("missing metric name (__name__ label)", batch.Error);
        Assert.Empty(batch.Samples);
    }
}
