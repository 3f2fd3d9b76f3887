using System.CommandLine;
using Vigil.Cli;
using Vigil.Configuration;
using Vigil.Features.Capacity;
using Vigil.Tests.Support;

namespace Vigil.Tests.Capacity;

/// <summary>
/// Seed 003's scaling triggers written as a capacity model: <c>vigil config check</c> accepts them and
/// shows the alerting rules they generate; a query or growth model that cannot be read is pointed at.
/// </summary>
public sealed class CapacityConfigTests : IDisposable
{
    /// <summary>003 "Scale-Up Triggers" and "Scale-Down Triggers", with "connections &gt; 80 % of 20".</summary>
    public const string Seed003 = """
        services:
          - name: api
        capacity:
          services:
            api:
              resources:
                connections: {unit: connections, limit: 20, usage: 'sum(pg_stat_activity_count)', runs_out_within: 30d}
              scale_up:
                - condition: cpu_usage > 70%
                  for: 10m
                  recommendation: add a replica (max 10)
                - condition: memory_usage > 80%
                  for: 10m
                  recommendation: add a replica (max 10)
                - condition: response_time_p95 > 1500ms
                  for: 10m
                  recommendation: add a replica (max 10)
                - condition: error_rate > 2%
                  for: 5m
                  severity: critical
                  recommendation: investigate, then add a replica
                - condition: connections > 80%
                  for: 10m
                  action: add_read_replica
                  recommendation: add a read replica
              scale_down:
                - condition: cpu_usage < 30%
                  for: 30m
                  recommendation: remove a replica (min 2)
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("vigil-capacity-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static LoadedConfig Parse(string yaml) => ConfigLoader.Parse("vigil.yaml", yaml, new Dictionary<string, string>());

    [Fact]
    public async Task Seed_003s_triggers_pass_config_check_and_generate_the_rules_shown()
    {
        var path = Path.Combine(folder, "vigil.yaml");
        await File.WriteAllTextAsync(path, Seed003);
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliRunner.RunAsync(new RootCommand { ConfigCommand.Create() }, ["config", "check", path], output, error);

        Assert.Equal((0, ""), (exit, error.ToString()));
        var rules = CapacityCatalog.Generate(Parse(Seed003).Config).Single(g => g.GeneratedBy == "capacity:api").Rules;
        Assert.Equal(
            [
                ("CapacityScaleUp", "(1 - avg by (service, instance) (rate(node_cpu_seconds_total{mode=\"idle\",service=\"api\"}[5m]))) > 0.7", "10m", "scale_up", "warning"),
                ("CapacityScaleUp", "(1 - node_memory_MemAvailable_bytes{service=\"api\"} / node_memory_MemTotal_bytes{service=\"api\"}) > 0.8", "10m", "scale_up", "warning"),
                ("CapacityScaleUp", "(histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=\"api\"}[5m])))) > 1.5", "10m", "scale_up", "warning"),
                ("CapacityScaleUp", "(sum by (service) (rate(http_requests_total{code=~\"5..\",service=\"api\"}[5m])) / sum by (service) (rate(http_requests_total{service=\"api\"}[5m]))) > 0.02", "5m", "scale_up", "critical"),
                ("CapacityAddReadReplica", "((sum(pg_stat_activity_count)) / 20) > 0.8", "10m", "add_read_replica", "warning"),
                ("CapacityScaleDown", "(1 - avg by (service, instance) (rate(node_cpu_seconds_total{mode=\"idle\",service=\"api\"}[5m]))) < 0.3", "30m", "scale_down", "warning"),
                ("CapacityRunsOut", "predict_linear((sum(pg_stat_activity_count))[30d:1h], 2592000) > 20", "0s", "scale_up", "warning"),
            ],
            rules.Select(r => (r.Alert!, r.ExprText, Duration.Format(r.For), Label(r, "capacity_action"), Label(r, "severity"))));
        Assert.All(rules, r => Assert.Equal("api", Label(r, "service")));
        Assert.Equal("add a read replica", rules[4].Annotations.Single(a => a.Key == "recommendation").Value);
        var printed = output.ToString().ReplaceLineEndings("\n");
        Assert.Contains("  CapacityAddReadReplica for 10m:\n    ((sum(pg_stat_activity_count)) / 20) > 0.8\n", printed, StringComparison.Ordinal);
        Assert.Contains("  CapacityRunsOut:\n    predict_linear((sum(pg_stat_activity_count))[30d:1h], 2592000) > 20\n", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_examples_in_docs_capacity_md_are_valid_configuration()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "capacity.md")).ReplaceLineEndings("\n");
        var blocks = System.Text.RegularExpressions.Regex.Matches(doc, "```yaml\n(?<yaml>(services|capacity):.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups["yaml"].Value).ToList();

        Assert.Equal(5, blocks.Count);
        foreach (var yaml in blocks)
        {
            // The first example's anomaly names a service the block does not define.
            var loaded = Parse(yaml.Replace("services:\n  - name: api\n", "services:\n  - name: api\n  - name: checkout\n", StringComparison.Ordinal));
            Assert.True(loaded.IsValid, yaml + "\n" + string.Join("\n", loaded.Errors));
            Assert.NotEmpty(CapacityCatalog.Generate(loaded.Config));
        }
    }

    private static string Label(Vigil.Features.Alerting.Rules.Rule rule, string name) => rule.Labels.Single(l => l.Key == name).Value;

    [Fact]
    public void A_usage_query_that_does_not_parse_is_a_config_error_at_its_line()
    {
        var loaded = Parse("""
            services:
              - name: api
            capacity:
              services:
                api:
                  resources:
                    connections:
                      limit: 20
                      usage: 'sum(pg_stat_activity_count'
            """);

        var error = Assert.Single(loaded.Errors);
        Assert.Equal(("vigil.yaml", 9), (error.File, error.Line));
        Assert.Contains("not a PromQL query", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3x/0d", "the period must be longer than 0")]
    [InlineData("3x/-30d", "is not year, quarter, month, week, day or a positive duration")]
    [InlineData("+20% a fortnight", "is not year, quarter, month, week, day or a positive duration")]
    [InlineData("lots", "is not a growth model")]
    [InlineData("-100%/month", "the factor must be above 0")]
    public void A_growth_model_that_cannot_be_read_is_a_config_error_at_its_line(string growth, string reason)
    {
        var loaded = Parse($"""
            services:
              - name: api
            capacity:
              services:
                api:
                  resources:
                    storage:
                      unit: GB
                      limit: 500
                      usage: sum(pg_database_size_bytes) / 1e9
                      growth: "{growth}"
            """);

        var error = Assert.Single(loaded.Errors);
        Assert.Equal(("vigil.yaml", 11), (error.File, error.Line));
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Triggers_and_anomalies_of_an_unknown_service_or_with_a_bad_condition_are_pointed_at()
    {
        var loaded = Parse("""
            services:
              - name: api
            capacity:
              services:
                web:
                  scale_up:
                    - condition: cpu over 70
              anomaly:
                - name: errors
                  series: sum(rate(x[1h]))
                  k: 0
            """);

        Assert.Equal(
            [
                "vigil.yaml:5:5: unknown service \"web\" (define it under services:)",
                "vigil.yaml:7:22: condition \"cpu over 70\" is not NAME OP NUMBER[UNIT], e.g. error_rate > 5% or response_time_p95 > 2000ms",
                "vigil.yaml:11:10: the number of standard deviations must be above 0",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}
