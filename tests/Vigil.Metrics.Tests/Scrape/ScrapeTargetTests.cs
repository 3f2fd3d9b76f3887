using Vigil.Metrics.Scrape;

namespace Vigil.Metrics.Tests.Scrape;

public class ScrapeTargetTests
{
    [Fact]
    public void Static_targets_get_job_and_instance_and_lose_internal_labels()
    {
        var config = new ScrapeConfig
        {
            JobName = "node",
            StaticConfigs = [new StaticTargetGroup(["10.0.0.1:9100", "10.0.0.2:9100"], Labels.Of("env", "prod"))],
        };

        var targets = ScrapeTarget.FromConfig(config);

        Assert.Equal(
            ["{env=\"prod\", instance=\"10.0.0.1:9100\", job=\"node\"} http://10.0.0.1:9100/metrics", "{env=\"prod\", instance=\"10.0.0.2:9100\", job=\"node\"} http://10.0.0.2:9100/metrics"],
            targets.Select(t => $"{t.Labels} {t.Url}"));
    }

    [Fact]
    public void Relabel_configs_can_drop_targets_and_rewrite_address_path_and_instance()
    {
        var config = new ScrapeConfig
        {
            JobName = "blackbox",
            StaticConfigs = [new StaticTargetGroup(["a.example:80", "skip.example:80"], Labels.Empty)],
            RelabelConfigs =
            [
                new RelabelConfig { SourceLabels = ["__address__"], Regex = "skip.*", Action = RelabelAction.Drop },
                new RelabelConfig { SourceLabels = ["__address__"], TargetLabel = "instance" },
                new RelabelConfig { TargetLabel = "__address__", Replacement = "127.0.0.1:9115" },
                new RelabelConfig { TargetLabel = "__metrics_path__", Replacement = "/probe" },
                new RelabelConfig { SourceLabels = ["__scrape_interval__"], TargetLabel = "interval" },
            ],
        };

        var target = Assert.Single(ScrapeTarget.FromConfig(config));

        Assert.Equal("{instance=\"a.example:80\", interval=\"1m0s\", job=\"blackbox\"}", target.Labels.ToString());
        Assert.Equal("http://127.0.0.1:9115/probe", target.Url.ToString());
    }

    [Theory]
    [InlineData(15_000, "15s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(500, "500ms")]
    [InlineData(1_500, "1.5s")]
    public void Intervals_are_written_as_go_durations(int ms, string expected)
    {
        Assert.Equal(expected, ScrapeTarget.GoDuration(TimeSpan.FromMilliseconds(ms)));
    }

    [Fact]
    public void Job_config_errors_are_all_reported()
    {
        var errors = new ScrapeConfig
        {
            JobName = "node",
            Interval = TimeSpan.FromSeconds(5),
            Timeout = TimeSpan.FromSeconds(10),
            MetricRelabelConfigs = [new RelabelConfig()],
        }.Validate();

        Assert.Equal(
            [
                "job node: scrape timeout 10s must be positive and not greater than scrape interval 5s",
                "job node: metric_relabel_configs[0]: relabel configuration for replace action requires 'target_label' value",
            ],
            errors);
    }
}
