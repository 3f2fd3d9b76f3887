using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>Rules evaluated inside the running server: pending, firing after <c>for</c>, sent to the dispatcher with Prometheus's times, resolved.</summary>
public abstract class RuleEvaluationTests : IAsyncLifetime
{
    private const string Config = """
        alerting:
          evaluation_interval: 15s
          external_url: https://vigil.example.com
          external_labels:
            region: eu-1
          rules:
            - name: HighErrorRate
              expr: errors_per_second > 5
              duration: 1 minute
              severity: high
              channels: [slack, email]
              summary: "{{ $labels.service }} fails {{ $value }} times a second"
        """;

    private static readonly Labels Errors = Labels.Of("__name__", "errors_per_second", "service", "api");
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task StepAsync(double errors)
    {
        await server.SampleAsync(Errors, errors);
        await server.AdvanceAndEvaluateAsync(Interval);
    }

    [Fact]
    public async Task Alert_waits_its_for_duration_then_fires_and_is_sent_until_it_resolves()
    {
        await StepAsync(10);
        var pending = server.Alert("HighErrorRate");
        Assert.Equal(AlertPhase.Pending, pending?.Phase);
        Assert.Empty(await server.StoredAlertsAsync());

        // Active at the first evaluation; fires at the first evaluation at least 1 minute later.
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(10);
            Assert.Equal(AlertPhase.Pending, server.Alert("HighErrorRate")!.Phase);
        }
        await StepAsync(10);
        var firing = server.Alert("HighErrorRate")!;
        Assert.Equal(AlertPhase.Firing, firing.Phase);
        Assert.Equal(pending!.ActiveAt.AddMinutes(1), firing.FiredAt);

        var stored = Assert.Single(await server.StoredAlertsAsync());
        Assert.Equal(
            Labels.Of("alertname", "HighErrorRate", "channels", "slack,email", "region", "eu-1", "service", "api", "severity", "high"),
            stored.Labels);
        Assert.Equal("api fails 10 times a second", stored.Annotations.Get("summary"));
        Assert.Equal("rule", stored.Source);
        Assert.Equal(firing.FiredAt, stored.StartsAt);
        // Prometheus: valid until now + 4 × max(resend delay 1m, interval 15s).
        Assert.Equal(firing.FiredAt!.Value.AddMinutes(4), stored.EndsAt);
        Assert.Equal("https://vigil.example.com/graph?g0.expr=errors_per_second+%3E+5&g0.tab=1", stored.GeneratorUrl);

        // Not sent again within the resend delay; sent again once it has passed.
        await StepAsync(10);
        Assert.Equal(firing.FiredAt.Value.AddMinutes(4), Assert.Single(await server.StoredAlertsAsync()).EndsAt);
        for (var i = 0; i < 4; i++)
        {
            await StepAsync(10);
        }
        Assert.Equal(firing.FiredAt.Value.AddMinutes(1.25).AddMinutes(4), Assert.Single(await server.StoredAlertsAsync()).EndsAt);

        // The condition clears: resolved at that evaluation and sent at once with that end.
        await StepAsync(1);
        var resolved = server.Alert("HighErrorRate")!;
        Assert.Equal(AlertPhase.Inactive, resolved.Phase);
        // Stored with that end, or already notified and removed by the dispatcher (its history keeps the end).
        Assert.Equal(resolved.ResolvedAt, await server.ResolvedAtAsync(stored.Labels));
    }

    [Fact]
    public async Task Alerts_and_their_for_state_are_written_as_series()
    {
        for (var i = 0; i < 5; i++)
        {
            await StepAsync(10);
        }
        var alerts = await server.Http.GetStringAsync("/prometheus/api/v1/query?query=ALERTS");
        Assert.Contains("\"alertstate\":\"firing\"", alerts, StringComparison.Ordinal);
        var forState = await server.Http.GetStringAsync("/prometheus/api/v1/query?query=ALERTS_FOR_STATE");
        Assert.Contains("\"alertname\":\"HighErrorRate\"", forState, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rules_api_and_the_Prometheus_rules_and_alerts_endpoints_show_rules_and_their_alerts()
    {
        await StepAsync(10);

        var viewer = await server.ClientFor("viewer");
        var rules = await viewer.GetFromJsonAsync<JsonElement>("/api/rules");
        var group = rules.GetProperty("groups")[0];
        Assert.Equal(("vigil.yaml", 15.0), (group.GetProperty("name").GetString(), group.GetProperty("interval_seconds").GetDouble()));
        var rule = group.GetProperty("rules")[0];
        Assert.Equal("errors_per_second > 5", rule.GetProperty("query").GetString());
        Assert.Equal(("alerting", "pending", "ok", 60.0), (rule.GetProperty("type").GetString(), rule.GetProperty("state").GetString(), rule.GetProperty("health").GetString(), rule.GetProperty("for_seconds").GetDouble()));
        Assert.Equal("slack,email", rule.GetProperty("labels").GetProperty("channels").GetString());
        Assert.Equal("pending", rule.GetProperty("alerts")[0].GetProperty("state").GetString());

        var prometheusRules = await viewer.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/rules");
        var promRule = prometheusRules.GetProperty("data").GetProperty("groups")[0].GetProperty("rules")[0];
        Assert.Equal(("HighErrorRate", 60.0, "alerting"), (promRule.GetProperty("name").GetString(), promRule.GetProperty("duration").GetDouble(), promRule.GetProperty("type").GetString()));
        var alerts = await viewer.GetFromJsonAsync<JsonElement>("/prometheus/api/v1/alerts");
        var alert = alerts.GetProperty("data").GetProperty("alerts")[0];
        Assert.Equal(("pending", "1e+01", "api"), (alert.GetProperty("state").GetString(), alert.GetProperty("value").GetString(), alert.GetProperty("labels").GetProperty("service").GetString()));
    }

    [Fact]
    public async Task The_rules_page_shows_each_alert_with_its_state_history()
    {
        for (var i = 0; i < 5; i++)
        {
            await StepAsync(10);
        }
        var alert = server.Alert("HighErrorRate")!;
        await StepAsync(1);

        var viewer = await server.ClientFor("viewer");
        var html = System.Net.WebUtility.HtmlDecode(await viewer.GetStringAsync("/rules"));

        Assert.Contains("errors_per_second &gt; 5".Replace("&gt;", ">", StringComparison.Ordinal), html, StringComparison.Ordinal);
        Assert.Contains($"{alert.ActiveAt:u} pending", html, StringComparison.Ordinal);
        Assert.Contains($"{alert.FiredAt:u} firing", html, StringComparison.Ordinal);
        Assert.Contains($"{server.Alert("HighErrorRate")!.ResolvedAt:u} resolved", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_firing_alert_keeps_firing_after_a_restart_without_waiting_its_for_again()
    {
        for (var i = 0; i < 5; i++)
        {
            await StepAsync(10);
        }
        var firing = server.Alert("HighErrorRate")!;
        Assert.Equal(AlertPhase.Firing, firing.Phase);

        server = await server.RestartAsync(TimeSpan.FromMinutes(2));

        // Prometheus restores after the second evaluation; the third fires without a new 1-minute wait.
        await StepAsync(10);
        await StepAsync(10);
        Assert.Equal(AlertPhase.Pending, server.Alert("HighErrorRate")!.Phase);
        Assert.Equal(firing.ActiveAt, server.Alert("HighErrorRate")!.ActiveAt);
        await StepAsync(10);
        Assert.Equal(AlertPhase.Firing, server.Alert("HighErrorRate")!.Phase);
        var stored = Assert.Single(await server.StoredAlertsAsync());
        Assert.Equal(firing.FiredAt, stored.StartsAt);
        Assert.False(stored.IsResolvedAt(server.Clock.GetUtcNow()));
    }
}

public sealed class RuleEvaluationOnSqlite : RuleEvaluationTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class RuleEvaluationOnPostgres(PostgresServer postgres) : RuleEvaluationTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
