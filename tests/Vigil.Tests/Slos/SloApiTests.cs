using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigil.Configuration;
using Vigil.Tests.Support;

namespace Vigil.Tests.Slos;

/// <summary>The SLO API: create, change and delete with audit; config SLOs read-only; Sloth and OpenSLO import; bad input.</summary>
public abstract class SloApiTests : IAsyncLifetime
{
    private const string Config = """
        services:
          - name: checkout
        monitors:
          - name: checkout-http
            type: http
            service: checkout
            url: http://127.0.0.1:1/health
            interval: 1m
        slos:
          - name: checkout-uptime
            service: checkout
            target: 99.9%
            window: calendar_month
            monitor: checkout-http
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static object Latency(string name) => new
    {
        name,
        service = "checkout",
        target = "99",
        window = "28d",
        latency = new { histogram = "http_request_duration_seconds", selector = "service=\"checkout\"", threshold = 0.3 },
    };

    private Task<HttpResponseMessage> ImportAsync(string yaml) =>
        server.Http.PostAsync("/api/slos/import", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    private async Task<List<string>> NamesAsync() =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>("/api/slos")).EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];

    [Fact]
    public async Task An_slo_made_through_the_api_is_listed_changed_and_deleted_each_with_one_audit_entry_and_its_rules_follow()
    {
        var created = await server.Http.PostAsJsonAsync("/api/slos", Latency("checkout-latency"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-latency");
        Assert.Equal(("latency", 0.99, "api"), (slo.GetProperty("kind").GetString(), slo.GetProperty("target").GetDouble(), slo.GetProperty("origin").GetString()));
        Assert.Equal("sum(rate(http_request_duration_seconds_bucket{service=\"checkout\",le=\"0.3\"}[{{.window}}]))", slo.GetProperty("good_query").GetString());
        // 99 % allows 3.65 days a year, 7.31 hours a month and 6.72 hours in 28 days.
        Assert.Equal(("3.65 days", "7.31 hours", "6.72 hours"), (
            slo.GetProperty("allowed_downtime").GetProperty("per_year").GetString(),
            slo.GetProperty("allowed_downtime").GetProperty("per_month").GetString(),
            slo.GetProperty("allowed_downtime").GetProperty("per_window").GetString()));
        Assert.Contains(await RuleGroupsAsync(), g => g == "slo:checkout-latency");

        var changed = await server.Http.PutAsJsonAsync("/api/slos/checkout-latency", new
        {
            service = "checkout",
            target = "0.995",
            ratio = new { bad = "sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))", total = "sum(rate(http_requests_total[{{.window}}]))" },
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-latency");
        Assert.Equal(("ratio", 0.995, "30d"), (slo.GetProperty("kind").GetString(), slo.GetProperty("target").GetDouble(), slo.GetProperty("window").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync("/api/slos/checkout-latency")).StatusCode);
        Assert.Equal(["checkout-uptime"], await NamesAsync());
        Assert.DoesNotContain(await RuleGroupsAsync(), g => g == "slo:checkout-latency");
        Assert.Equal(["create", "update", "delete"], (await server.AuditAsync()).Where(e => e.Resource == "slo").Select(e => e.Action));
    }

    private async Task<List<string?>> RuleGroupsAsync() =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>("/api/rules")).GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("generated_by").GetString())];

    [Fact]
    public async Task An_slo_of_the_configuration_is_read_only_through_the_api()
    {
        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-uptime");
        Assert.Equal(("availability", "config", "calendar_month"), (slo.GetProperty("kind").GetString(), slo.GetProperty("origin").GetString(), slo.GetProperty("window").GetString()));

        var put = await server.Http.PutAsJsonAsync("/api/slos/checkout-uptime", Latency("checkout-uptime"));
        var delete = await server.Http.DeleteAsync("/api/slos/checkout-uptime");

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (put.StatusCode, delete.StatusCode));
        Assert.Contains("read-only", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(await server.AuditAsync(), e => e.Resource == "slo");
    }

    [Theory]
    [InlineData("""{"name":"a","service":"checkout","target":"100","monitor":"checkout-http"}""", "target")]
    [InlineData("""{"name":"a","service":"checkout","target":"99.9","window":"7d","monitor":"checkout-http"}""", "window")]
    [InlineData("""{"name":"a","service":"checkout","target":"99.9","monitor":"nope"}""", "monitor")]
    [InlineData("""{"name":"a","service":"checkout","target":"99.9"}""", "monitor")]
    [InlineData("""{"name":"a","service":"checkout","target":"99.9","ratio":{"good":"sum(rate(x[{{.window}}])","total":"sum(rate(y[{{.window}}]))"}}""", "ratio.good")]
    [InlineData("""{"name":"a","service":"nowhere","target":"99.9","monitor":"checkout-http"}""", "service")]
    [InlineData("""{"name":"a","service":"checkout","target":"99","mean_latency":{"metric":"http_request_duration_seconds","threshold":"fast"}}""", "mean_latency.threshold")]
    [InlineData("""{"name":"a","service":"checkout","target":"99","mean_latency":{"metric":"http_request_duration_seconds"}}""", "mean_latency.threshold")]
    [InlineData("""{"name":"a","service":"checkout","target":"99","mean_latency":{"metric":"http-latency","threshold":"200ms"}}""", "mean_latency.metric")]
    [InlineData("""{"name":"a","service":"checkout","target":"99","mean_latency":{"metric":"http_request_duration_seconds","selector":"service=","threshold":"200ms"}}""", "mean_latency.selector")]
    [InlineData("""{"name":"a","service":"checkout","target":"99","monitor":"checkout-http","mean_latency":{"metric":"m","threshold":"200ms"}}""", "monitor")]
    public async Task A_bad_slo_gets_a_problem_naming_the_field_and_changes_nothing(string body, string field)
    {
        var response = await server.Http.PostAsync("/api/slos", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(["checkout-uptime"], await NamesAsync());
    }

    [Fact]
    public async Task A_sloth_spec_is_imported_as_ratio_slos_with_their_error_queries()
    {
        var response = await ImportAsync("""
            version: "prometheus/v1"
            service: "checkout"
            labels:
              owner: "payments"
            slos:
              - name: "requests-availability"
                objective: 99.9
                description: "Common SLO based on availability for HTTP request responses."
                sli:
                  events:
                    error_query: sum(rate(http_request_duration_seconds_count{job="checkout",code=~"(5..|429)"}[{{.window}}]))
                    total_query: sum(rate(http_request_duration_seconds_count{job="checkout"}[{{.window}}]))
                alerting:
                  name: CheckoutHighErrorRate
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-requests-availability");
        Assert.Equal(("ratio", 0.999, "30d"), (slo.GetProperty("kind").GetString(), slo.GetProperty("target").GetDouble(), slo.GetProperty("window").GetString()));
        Assert.Equal("sum(rate(http_request_duration_seconds_count{job=\"checkout\",code=~\"(5..|429)\"}[{{.window}}]))", slo.GetProperty("bad_query").GetString());
        var import = Assert.Single(await server.AuditAsync(), e => e.Resource == "slo");
        Assert.Equal(("import", "checkout-requests-availability"), (import.Action, import.ResourceId));
    }

    [Fact]
    public async Task An_openslo_ratio_slo_is_imported_with_its_window_and_target()
    {
        var response = await ImportAsync("""
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: checkout-success
              displayName: Checkout success
            spec:
              service: checkout
              indicator:
                metadata:
                  name: good-requests
                spec:
                  ratioMetric:
                    counter: true
                    good:
                      metricSource:
                        type: Prometheus
                        spec:
                          query: http_requests_total{service="checkout",code!~"5.."}
                    total:
                      metricSource:
                        type: Prometheus
                        spec:
                          query: http_requests_total{service="checkout"}
              timeWindow:
                - duration: 28d
                  isRolling: true
              budgetingMethod: Occurrences
              objectives:
                - displayName: Good
                  target: 0.995
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var slo = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-success");
        Assert.Equal(("ratio", 0.995, "28d"), (slo.GetProperty("kind").GetString(), slo.GetProperty("target").GetDouble(), slo.GetProperty("window").GetString()));
        Assert.Equal("sum(rate(http_requests_total{service=\"checkout\",code!~\"5..\"}[{{.window}}]))", slo.GetProperty("good_query").GetString());
    }

    [Theory]
    [InlineData("""
        version: "prometheus/v1"
        service: checkout
        slos:
          - name: raw
            objective: 99
            sli:
              raw:
                error_ratio_query: sum(rate(errors[{{.window}}]))
        """, "slos[0].sli.raw")]
    [InlineData("""
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: slices}
        spec:
          service: checkout
          indicator:
            spec:
              ratioMetric:
                good: {metricSource: {spec: {query: good_total}}}
                total: {metricSource: {spec: {query: all_total}}}
          budgetingMethod: Timeslices
          objectives: [{target: 0.99}]
        """, "spec.budgetingMethod")]
    [InlineData("""
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: threshold}
        spec:
          service: checkout
          indicator:
            spec:
              thresholdMetric: {metricSource: {spec: {query: latency}}}
          objectives: [{target: 0.99}]
        """, "spec.indicator.spec.thresholdMetric")]
    [InlineData("apiVersion: openslo/v1\nkind: Service\nmetadata: {name: checkout}\n", "version")]
    public async Task An_import_of_what_vigil_cannot_measure_is_refused_naming_it_and_creates_nothing(string yaml, string field)
    {
        var response = await ImportAsync(yaml);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(["checkout-uptime"], await NamesAsync());
        Assert.DoesNotContain(await server.AuditAsync(), e => e.Resource == "slo");
    }

    [Fact]
    public async Task The_monthly_report_gives_the_month_and_refuses_a_month_that_is_not_one()
    {
        var report = await server.Http.GetFromJsonAsync<JsonElement>("/api/slos/checkout-uptime/report?month=2026-11");
        Assert.Equal(("2026-11", 0.999, "43.2 minutes"), (report.GetProperty("month").GetString(), report.GetProperty("target").GetDouble(), report.GetProperty("allowed_downtime").GetString()));
        Assert.Equal(2, report.GetProperty("days").GetArrayLength());

        var bad = await server.Http.GetAsync("/api/slos/checkout-uptime/report?month=November");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("month", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class SloApiOnSqlite : SloApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class SloApiOnPostgres(PostgresServer postgres) : SloApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

/// <summary>The <c>slos:</c> section of vigil.yaml: each mistake with its line and column.</summary>
public sealed class SloConfigTests
{
    [Theory]
    [InlineData("services:\n  - name: api\nslos:\n  - name: a\n    service: api\n    target: 120\n    ratio: {good: 'a', total: 'b'}\n", "vigil.yaml:6:13: \"120\" is not a target between 0 and 100 % (write 99.9, 99.9% or 0.999)")]
    [InlineData("services:\n  - name: api\nslos:\n  - name: a\n    service: api\n    target: 99.9\n    window: 90d\n    ratio: {good: 'a', total: 'b'}\n", "vigil.yaml:7:13: \"90d\" is not one of 28d, 30d, calendar_month")]
    [InlineData("services:\n  - name: api\nslos:\n  - name: a\n    service: api\n    target: 99.9\n    monitor: missing\n", "vigil.yaml:7:14: no monitor named \"missing\"")]
    [InlineData("services:\n  - name: api\nslos:\n  - name: a\n    service: api\n    target: 99.9\n    ratio:\n      good: sum(rate(ok[{{.window}}])\n      total: sum(rate(all[{{.window}}]))\n", "vigil.yaml:8:13: not a PromQL query")]
    [InlineData("services:\n  - name: api\nslos:\n  - name: a\n    service: checkout\n    target: 99.9\n    ratio: {good: 'a', total: 'b'}\n", "vigil.yaml:5:14: unknown service \"checkout\" (define it under services:)")]
    [InlineData("services:\n  - name: api\nslos:\n  - name: a\n    service: api\n    target: 99\n    mean_latency:\n      metric: http_request_duration_seconds\n      threshold: 0ms\n", "vigil.yaml:9:18: \"0ms\" is not a duration above 0 (write 200ms, 1s or 0.2)")]
    [InlineData("services:\n  - name: api\nslos:\n  - name: a\n    service: api\n    target: 99\n    mean_latency:\n      metric: 'http latency'\n      threshold: 200ms\n", "vigil.yaml:8:15: a summary's or histogram's metric name")]
    public void A_mistake_in_an_slo_is_reported_with_its_line_and_column(string yaml, string expected)
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", yaml, new Hashtable());

        Assert.StartsWith(expected, Assert.Single(loaded.Errors).ToString(), StringComparison.Ordinal);
    }
}
