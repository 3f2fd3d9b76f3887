using System.CommandLine;
using System.Text.RegularExpressions;
using Vigil.Cli;
using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>
/// Short-form rules as the operators' guides write them (seed 003: a mapping from each alert's name
/// to its condition), and the tools around them: <c>vigil config check</c> shows the PromQL,
/// <c>vigil rules test</c> runs promtool-format tests on a vigil.yaml, <c>vigil rules check --against</c>
/// flags a rule that is true on normal data.
/// </summary>
public sealed partial class ShortFormRuleToolsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("vigil-shortform-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [GeneratedRegex(@"#### (Performance|Business) Alerts\n```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex SeedAlertBlock();

    /// <summary>Seed 003's two "Alert Configuration" YAML blocks, as written, under <c>alerting.rules</c>.</summary>
    private static string Seed003Config()
    {
        var seed = File.ReadAllText(Directory.GetFiles(Path.Combine(RepositoryPaths.Shared, "seeds"), "003_*.txt").Single()).ReplaceLineEndings("\n");
        var blocks = SeedAlertBlock().Matches(seed).Select(m => m.Groups["yaml"].Value).ToList();
        Assert.Equal(2, blocks.Count);
        var indented = string.Join("", blocks.SelectMany(b => b.Split('\n')).Select(line => line.Length == 0 ? "\n" : "    " + line + "\n"));
        return "alerting:\n  rules:\n" + indented;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(Command command, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { command }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Seed_003s_alert_mapping_loads_unchanged_one_rule_per_name()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", Seed003Config(), new Dictionary<string, string>());

        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var rules = loaded.Config.Alerting.LoadedGroups.Single(g => g.Name == LoadRuleGroups.ShortFormGroup).Rules;
        Assert.Equal(
            ["High Error Rate", "Slow Response Time", "High CPU Usage", "Memory Usage Critical", "Low Conversion Rate", "Revenue Anomaly", "Critical Inventory"],
            rules.Select(r => r.Alert));
        var revenue = rules.Single(r => r.Alert == "Revenue Anomaly");
        Assert.Equal(("revenue_change > -0.2", TimeSpan.FromMinutes(30)), (revenue.ExprText, revenue.For));
        Assert.Contains(new KeyValuePair<string, string>("channels", "slack,email"), revenue.Labels);
        Assert.Equal(TimeSpan.Zero, rules.Single(r => r.Alert == "Critical Inventory").For);
    }

    [Fact]
    public void A_rule_in_the_mapping_form_whose_name_differs_from_its_key_is_pointed_at()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", "alerting:\n  rules:\n    High Error Rate:\n      name: Other\n      condition: error_rate > 5%\n", new Dictionary<string, string>());

        Assert.Equal(["vigil.yaml:4:7: name \"Other\" differs from its key \"High Error Rate\""], loaded.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task Built_in_aliases_keep_the_service_label()
    {
        foreach (var (name, _) in MetricAliases.Defaults)
        {
            var expr = Vigil.Metrics.PromQL.PromQLParser.Parse(ShortFormRule.ConditionToPromQL($"{name} > 1", null, MetricAliases.Defaults));
            var store = new Vigil.Metrics.Storage.MemorySampleStore();
            var series = new[]
            {
                Labels.Of("__name__", "http_requests_total", "service", "api", "code", "500", "instance", "a"),
                Labels.Of("__name__", "http_request_duration_seconds_bucket", "service", "api", "le", "+Inf", "instance", "a"),
                Labels.Of("__name__", "node_cpu_seconds_total", "service", "api", "mode", "user", "instance", "a"),
                Labels.Of("__name__", "node_cpu_seconds_total", "service", "api", "mode", "idle", "instance", "a"),
                Labels.Of("__name__", "node_memory_MemAvailable_bytes", "service", "api", "instance", "a"),
                Labels.Of("__name__", "node_memory_MemTotal_bytes", "service", "api", "instance", "a"),
                Labels.Of("__name__", "node_filesystem_avail_bytes", "service", "api", "instance", "a"),
                Labels.Of("__name__", "node_filesystem_size_bytes", "service", "api", "instance", "a"),
            };
            var appender = store.Appender();
            for (var t = 0; t <= 600; t += 15)
            {
                foreach (var s in series)
                {
                    // Growing counters, and gauges with "available" far below "total"/"size".
                    var value = s.Get("__name__").EndsWith("_total", StringComparison.Ordinal) || s.Get("__name__").EndsWith("_bucket", StringComparison.Ordinal) ? t * (s.Get("mode") == "idle" ? 0.001 : 10) : s.Get("__name__").Contains("avail", StringComparison.OrdinalIgnoreCase) ? 1 : 1000;
                    appender.Append(s, t * 1000L, value);
                }
            }
            await appender.CommitAsync();
            var inner = expr is Vigil.Metrics.PromQL.BinaryExpr b ? b.Lhs : expr;
            var result = (Vigil.Metrics.PromQL.VectorValue)new Vigil.Metrics.PromQL.PromQLEngine().InstantQuery(store, inner, 600_000, CancellationToken.None);
            Assert.True(result.Samples.Count > 0, $"{name} gave no result");
            Assert.All(result.Samples, s => Assert.Equal("api", s.Labels.Get("service")));
        }
    }

    [Fact]
    public async Task Config_check_prints_the_PromQL_of_each_short_form_rule()
    {
        var path = Path.Combine(folder, "vigil.yaml");
        await File.WriteAllTextAsync(path, Seed003Config());

        var (exit, output, error) = await RunAsync(ConfigCommand.Create(), "config", "check", path);

        Assert.Equal((0, ""), (exit, error));
        Assert.Contains("  High Error Rate for 5m:\n    (sum by (service) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (service) (rate(http_requests_total{}[5m]))) > 0.05\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("  Revenue Anomaly for 30m:\n    revenue_change > -0.2\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("  Critical Inventory:\n    critical_items > 0\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Rules_test_runs_promtool_format_tests_on_the_short_form_rules_of_a_vigil_yaml()
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "vigil.yaml"), Seed003Config());
        var test = Path.Combine(folder, "seed003.test.yml");
        await File.WriteAllTextAsync(test, """
            rule_files: [vigil.yaml]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'critical_items{warehouse="east"}'
                    values: '0 0 3 3'
                  - series: 'conversion_rate{shop="eu"}'
                    values: '0.05x70'
                alert_rule_test:
                  - eval_time: 1m
                    alertname: Critical Inventory
                    exp_alerts: []
                  - eval_time: 2m
                    alertname: Critical Inventory
                    exp_alerts:
                      - exp_labels: {severity: critical, channels: 'pagerduty,sms,slack', warehouse: east}
                  - eval_time: 70m
                    alertname: Low Conversion Rate
                    exp_alerts: []
            """);

        var passed = await RunAsync(RulesCommand.Create(), "rules", "test", test);
        await File.WriteAllTextAsync(test, (await File.ReadAllTextAsync(test)).Replace("warehouse: east", "warehouse: west", StringComparison.Ordinal));
        var failed = await RunAsync(RulesCommand.Create(), "rules", "test", test);

        Assert.True(passed.Exit == 0, passed.Output + passed.Error);
        Assert.Contains("SUCCESS", passed.Output);
        Assert.Equal(1, failed.Exit);
        Assert.Contains("alertname: Critical Inventory", failed.Error);
    }

    [Fact]
    public async Task Rules_check_against_a_running_server_flags_a_rule_true_all_day_and_not_one_that_holds_sometimes()
    {
        await using var server = await TestServer.StartAsync();
        // A day of normal data: revenue moves within a few percent; the error rate spikes once.
        var appender = server.Services.GetService(typeof(Vigil.Metrics.Storage.ISampleStore)) is Vigil.Metrics.Storage.ISampleStore store ? store.Appender() : throw new InvalidOperationException();
        var now = server.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        for (var t = now - (25 * 3_600_000L); t <= now; t += 60_000)
        {
            var minute = (t - now) / 60_000;
            appender.Append(Labels.Of("__name__", "revenue_change", "service", "shop"), t, Math.Sin(minute / 30.0) * 0.05);
            appender.Append(Labels.Of("__name__", "checkout_errors", "service", "shop"), t, minute == -600 ? 10 : 0);
        }
        await appender.CommitAsync();
        var token = (await TestServer.CreateTokenAsync(server.Http, "rules-check", Vigil.Features.Access.Role.Viewer)).Token;
        var path = Path.Combine(folder, "vigil.yaml");
        await File.WriteAllTextAsync(path, Seed003Config() + """
                Checkout Errors:
                  condition: checkout_errors > 5
            """);

        var (exit, output, error) = await RunAsync(RulesCommand.Create(), "rules", "check", path, "--against", server.BaseAddress.ToString(), "--token", token);

        Assert.Equal((0, ""), (exit, error));
        var warnings = output.Split('\n').Where(l => l.Contains("WARNING", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.StartsWith("  WARNING: alert \"Revenue Anomaly\" was true at every step of the last day of data (289 of 289 5-minute steps)", warning);
    }

    [Fact]
    public async Task Rules_check_against_needs_a_token()
    {
        var path = Path.Combine(folder, "vigil.yaml");
        await File.WriteAllTextAsync(path, Seed003Config());

        var (exit, _, error) = await RunAsync(RulesCommand.Create(), "rules", "check", path, "--against", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("--against needs an API token", error);
    }
}
