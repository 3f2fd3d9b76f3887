using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Configuration;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>The <c>alerting:</c> section: short-form rules compile to PromQL, rule files load with their errors located.</summary>
public sealed class AlertingConfigTests
{
    private static readonly IReadOnlyDictionary<string, string> Aliases = MetricAliases.Defaults;

    [Theory]
    [InlineData("error_rate > 5%", null, """(sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{}[5m]))) > 0.05""")]
    [InlineData("error_rate > 5%", "checkout", """(sum by (service) (rate(http_requests_total{code=~"5..",service="checkout"}[5m])) / sum by (service) (rate(http_requests_total{service="checkout"}[5m]))) > 0.05""")]
    [InlineData("response_time_p95 > 2000ms", null, """(histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{}[5m])))) > 2""")]
    [InlineData("memory_usage > 90%", null, """(1 - node_memory_MemAvailable_bytes{} / node_memory_MemTotal_bytes{}) > 0.9""")]
    [InlineData("critical_items > 0", null, "critical_items > 0")]
    [InlineData("conversion_rate < 2%", "shop", """conversion_rate{service="shop"} < 0.02""")]
    public void A_condition_compiles_to_the_documented_PromQL(string condition, string? service, string expected)
    {
        var promql = ShortFormRule.ConditionToPromQL(condition, service, Aliases);

        Assert.Equal(expected, promql);
        Vigil.Metrics.PromQL.PromQLParser.Parse(promql);
    }

    [Theory]
    [InlineData("5 minutes", 300)]
    [InlineData("1 hour", 3600)]
    [InlineData("immediate", 0)]
    [InlineData("10m", 600)]
    public void A_duration_reads_in_words_or_as_Prometheus_writes_it(string text, int seconds)
    {
        Assert.True(ShortFormRule.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Fact]
    public void The_seeds_rules_load_with_severity_service_and_channels_as_labels()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            alerting:
              metrics:
                revenue_change: 'delta(revenue_total[30m]) / revenue_total offset 30m'
              rules:
                - name: High Error Rate
                  condition: error_rate > 5%
                  duration: 5 minutes
                  severity: high
                  channels: [slack, email]
                  service: checkout
                  summary: Checkout fails
                  runbook: https://runbooks.example.com/errors
                - name: Revenue Anomaly
                  condition: revenue_change > -20%
                  duration: 30 minutes
                  severity: high
                  channels: [slack, email]
            """, new Hashtable());

        Assert.Empty(loaded.Errors);
        var group = loaded.Config.Alerting.LoadedGroups.Single(g => g.Name == "vigil.yaml");
        var rule = group.Rules[0];
        Assert.Equal(("High Error Rate", TimeSpan.FromMinutes(5)), (rule.Alert, rule.For));
        Assert.Equal([new("severity", "high"), new("service", "checkout"), new("channels", "slack,email")], rule.Labels);
        Assert.Equal([new("summary", "Checkout fails"), new("runbook_url", "https://runbooks.example.com/errors")], rule.Annotations);
        Assert.Equal("(delta(revenue_total[30m]) / revenue_total offset 30m) > -0.2", group.Rules[1].ExprText);
    }

    [Fact]
    public void Mistakes_in_short_form_rules_are_pointed_at()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            alerting:
              rules:
                - name: A
                  condition: error_rate is high
                - name: B
                  expr: 'rate(x[5m]'
                  duration: a while
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:4:18: condition \"error_rate is high\" is not NAME OP NUMBER[UNIT], e.g. error_rate > 5% or response_time_p95 > 2000ms",
                "vigil.yaml:6:13: could not parse expression: 1:11: parse error: unclosed left parenthesis",
                "vigil.yaml:7:17: invalid duration \"a while\": write e.g. 5 minutes, 5m or immediate",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }

    // Found by fuzzing (fuzz/run.sh rules, CI 2026-12-07): YamlDotNet's parser throws
    // ArgumentException on a verbatim tag that is not a URI. A rule file and a rule test file
    // with one are refused with a syntax error, never an exception.
    [Theory]
    [InlineData("groups: !<:> []\n", "yaml: line 1: Global tags must be valid URIs.")]
    [InlineData("groups:\n  - name: api\n    rules: !<a b> []\n", "yaml: line 3: While scanning a tag, did not find the expected '>'.")]
    public void A_rule_file_with_a_tag_the_yaml_reader_refuses_is_a_syntax_error(string text, string error)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigil-tag-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, text);
        try
        {
            var (groups, errors) = RuleFile.Load(path, "rules.yml");

            Assert.Empty(groups);
            Assert.Equal([$"rules.yml: {error}", $"rules.yml: {error}"], errors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_rule_test_file_with_a_tag_the_yaml_reader_refuses_is_a_syntax_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigil-tag-{Guid.NewGuid():N}.test.yml");
        File.WriteAllText(path, "rule_files: !<:> [rules.yml]\n");
        try
        {
            var error = Assert.Throws<FormatException>(() => Vigil.Features.Alerting.RuleTests.RuleTestFileReader.Read(path));

            Assert.Equal("yaml: line 1: global tags must be valid URIs", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>Rule files named in vigil.yaml, on start and on reload.</summary>
public sealed class RuleFileReloadTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync(null, "alerting:\n  evaluation_interval: 30s\n");

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_rule_file_that_does_not_parse_is_refused_with_its_position_and_the_rules_in_force_stay()
    {
        Directory.CreateDirectory(Path.Combine(server.DataDirectory, "rules"));
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "rules", "good.yml"), """
            groups:
              - name: api
                rules:
                  - record: job:errors:sum
                    expr: sum by (job) (errors_total)
            """);
        await server.WriteConfigAsync("alerting:\n  rule_files: ['rules/*.yml']\n");
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsync("/-/reload", null)).StatusCode);

        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "rules", "broken.yml"), """
            groups:
              - name: broken
                rules:
                  - alert: MissingParen
                    expr: sum(rate(http_requests_total[5m])
                    annotations:
                      summary: "{{ $value | nosuchfunction }}"
            """);
        var response = await server.Http.PostAsync("/-/reload", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        // Every error of the file is reported, as promtool check rules does: the expression and the template.
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.EndsWith("rules/broken.yml:5:15: group \"broken\", rule 1, \"MissingParen\": could not parse expression: 1:34: parse error: unclosed left parenthesis", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rules/broken.yml:4:9: group \"broken\", rule 1, \"MissingParen\": annotation \"summary\": template: __alert_MissingParen:1:", StringComparison.Ordinal));
        var groups = server.Services.GetRequiredService<EvaluateRules>().Groups;
        Assert.Equal(["api", "monitor_rules"], groups.Select(g => g.Group.Name));
    }

    [Fact]
    public async Task A_template_that_does_not_compile_is_a_config_error()
    {
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "alerts.yml"), """
            groups:
              - name: api
                rules:
                  - alert: Down
                    expr: up == 0
                    annotations:
                      summary: "{{ $labels.instance "
            """);
        await server.WriteConfigAsync("alerting:\n  rule_files: [alerts.yml]\n");

        var response = await server.Http.PostAsync("/-/reload", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()).GetString()!;
        Assert.Contains("alerts.yml:4:9: group \"api\", rule 1, \"Down\": annotation \"summary\": template: __alert_Down:1:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recording_rules_append_their_result_to_the_store()
    {
        await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "rec.yml"), """
            groups:
              - name: rec
                rules:
                  - record: job:errors:sum
                    expr: sum by (job) (errors_total)
            """);
        await server.WriteConfigAsync("alerting:\n  evaluation_interval: 30s\n  rule_files: [rec.yml]\n");
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsync("/-/reload", null)).StatusCode);

        await server.SampleAsync(Labels.Of("__name__", "errors_total", "job", "api", "instance", "a"), 3);
        await server.SampleAsync(Labels.Of("__name__", "errors_total", "job", "api", "instance", "b"), 4);
        await server.AdvanceAndEvaluateAsync(TimeSpan.FromSeconds(30));

        var result = await server.Http.GetStringAsync("/prometheus/api/v1/query?query=job:errors:sum");
        Assert.Contains("\"job\":\"api\"", result, StringComparison.Ordinal);
        Assert.Contains("\"7\"]", result, StringComparison.Ordinal);
    }
}
