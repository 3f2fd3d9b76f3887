using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Configuration;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Deployments;
using Vigil.Features.Metrics;
using Vigil.Metrics;
using Vigil.Tests.Alerting;
using Vigil.Tests.Support;
using static Vigil.Tests.Notifications.DeliveryScenario;

namespace Vigil.Tests.Deployments;

/// <summary>
/// A canary deployment analysed step by step on a fake clock: two real loopback exposition targets (the canary
/// and the baseline) serve <c>http_requests_total{code}</c> counters that the test bumps every 15 s, Vigil scrapes
/// them (<c>metrics.scrape_configs</c>, static targets labelled <c>track</c>), the analysis loop judges each step's
/// hold, and a failing canary fails the deployment, calls the rollback webhook once and notifies a Slack-shaped
/// receiver through routing.
/// </summary>
public abstract class CanaryAnalysisTests : IAsyncLifetime
{
    private NotificationReceiver receiver = null!;
    private TestServer server = null!;
    private ExpositionTarget canaryTarget = null!, baselineTarget = null!;
    private readonly string rules = Path.Combine(Path.GetTempPath(), $"vigil-canary-rules-{Guid.NewGuid():N}.yml");

    protected abstract Task<string?> DatabaseAsync();

    private const string ErrorRatio = """sum(rate(http_requests_total{track="TRACK",code="500"}[1m])) / sum(rate(http_requests_total{track="TRACK"}[1m]))""";

    private string Config => $$"""
        services:
          - name: checkout
            environments:
              - name: production
              - name: live
        deployments:
          environments:
            - name: production
              canary:
                steps:
                  - {weight: 5, hold: 5m}
                  - {weight: 50, hold: 5m}
                  - {weight: 100}
                metrics:
                  - name: error_ratio
                    canary: '{{ErrorRatio.Replace("TRACK", "canary", StringComparison.Ordinal)}}'
                    baseline: '{{ErrorRatio.Replace("TRACK", "baseline", StringComparison.Ordinal)}}'
                    direction: increase
                    effect_size: 1.5
                    confidence: 0.95
                rollback_webhook: {{receiver.Url}}/rollback
                watch: 2m
            - name: live
              blue_green:
                metrics:
                  - name: error_ratio
                    canary: '{{ErrorRatio.Replace("TRACK", "canary", StringComparison.Ordinal)}}'
                    baseline: '{{ErrorRatio.Replace("TRACK", "baseline", StringComparison.Ordinal)}}'
                    effect_size: 1.5
                verify: 5m
                watch: 3m
                keep_previous: 24h
                rollback_webhook: {{receiver.Url}}/switch-back
        metrics:
          scrape_configs:
            - job_name: checkout
              scrape_interval: 15s
              scrape_timeout: 5s
              static_configs:
                - targets: ["{{canaryTarget.Address}}"]
                  labels: {track: canary}
                - targets: ["{{baselineTarget.Address}}"]
                  labels: {track: baseline}
        alerting:
          rule_files: ["{{rules}}"]
        channels:
          - name: slack
            type: slack
            url: {{receiver.Url}}/slack/services/T0000/B0000/XXXX
        routing:
          route:
            receiver: slack
            group_by: [alertname, service]
            group_wait: 30s
        """;

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        canaryTarget = await ExpositionTarget.StartAsync();
        baselineTarget = await ExpositionTarget.StartAsync();
        // A burst of canary errors (far above the failing canary's) fires this rule on the service.
        await File.WriteAllTextAsync(rules, """
            groups:
              - name: checkout
                interval: 15s
                rules:
                  - alert: CheckoutErrorBurst
                    expr: sum(rate(http_requests_total{track="canary",code="500"}[1m])) > 2
                    labels: {service: checkout, severity: page}
            """);
        server = await TestServer.StartAsync(await DatabaseAsync(), Config, WithoutBackgroundPasses);
        await UntilAsync(() => Task.FromResult(Scrapes.Loops.Count == 2));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await canaryTarget.DisposeAsync();
        await baselineTarget.DisposeAsync();
        await receiver.DisposeAsync();
        File.Delete(rules);
    }

    /// <summary>
    /// The test runs every analysis pass itself (one per tick), so none runs behind its back on the fake clock and
    /// "no pass meanwhile" means what it says: the hosted service registered right after <see cref="CanaryAnalysis"/> goes.
    /// </summary>
    private static void WithoutBackgroundPasses(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        var at = services.ToList().FindIndex(d => d.ServiceType == typeof(CanaryAnalysis));
        Assert.Equal(typeof(Microsoft.Extensions.Hosting.IHostedService), services[at + 1].ServiceType);
        services.RemoveAt(at + 1);
    }

    private ApplyScrapeTargets Scrapes => server.Services.GetRequiredService<ApplyScrapeTargets>();

    private async Task<int> StartCanaryAsync(string environment = "production", string strategy = "canary")
    {
        var recorded = await server.Http.PostAsJsonAsync("/api/deployments", new { service = "checkout", environment, version = "v1.4.2", previous_version = "v1.4.1", strategy });
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var deployment = await recorded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(DeploymentStatus.InProgress, deployment.GetProperty("status").GetString());
        return deployment.GetProperty("id").GetInt32();
    }

    /// <summary>
    /// 15 s of traffic: 100 requests on each track, the baseline's errors 1 or 2, the canary's as given; the clock
    /// advances 15 s, Vigil scrapes both targets (real HTTP, waited for), then one analysis pass.
    /// </summary>
    private async Task TickAsync(int tick, int canaryErrorsNow, int canaryRequests = 100, bool pass = true)
    {
        baselineTarget.Serve(100, 1 + (tick % 2));
        canaryTarget.Serve(canaryRequests, canaryErrorsNow);
        server.Clock.Advance(TimeSpan.FromSeconds(15));
        // Each target's scrape loop wakes once per 15 s on the fake clock (at its own offset in the interval):
        // the scrape of this tick is the one timed after the previous tick's now.
        var after = server.Clock.GetUtcNow() - TimeSpan.FromSeconds(15);
        await UntilAsync(
            () => Task.FromResult(Scrapes.Loops.All(l => l.LastReport is { Up: true } r && r.Time > after)),
            () => Task.FromResult(string.Join(", ", Scrapes.Loops.Select(l => $"{l.Target.Url}: {l.LastReport?.Time:O} {l.LastReport?.Error}"))));
        if (pass)
        {
            await server.Services.GetRequiredService<CanaryAnalysis>().PassAsync(CancellationToken.None);
        }
    }

    private async Task<string> StatusAsync(int id) =>
        (await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}")).GetProperty("status").GetString()!;

    [Fact]
    public async Task A_canary_whose_error_ratio_rises_in_step_one_fails_within_the_hold_calls_the_rollback_webhook_once_and_notifies_slack()
    {
        var id = await StartCanaryAsync();
        var started = server.Clock.GetUtcNow();
        var tick = 0;
        // Healthy for a minute, then one request in ten fails; the 5-minute hold of step 1 is judged at its end.
        while (await StatusAsync(id) == DeploymentStatus.InProgress && tick < 40)
        {
            await TickAsync(tick, tick < 4 ? 1 + (tick % 2) : 10);
            tick++;
        }

        Assert.Equal(DeploymentStatus.Failed, await StatusAsync(id));
        Assert.Equal(TimeSpan.FromMinutes(5), server.Clock.GetUtcNow() - started);
        var analysis = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis");
        var report = Assert.Single(analysis.GetProperty("reports").EnumerateArray());
        Assert.Equal((1, 5.0, "fail"), (report.GetProperty("step").GetInt32(), report.GetProperty("weight").GetDouble(), report.GetProperty("verdict").GetString()));
        var metric = Assert.Single(report.GetProperty("metrics").EnumerateArray());
        Assert.Equal(("error_ratio", "fail"), (metric.GetProperty("metric").GetString(), metric.GetProperty("verdict").GetString()));
        Assert.True(metric.GetProperty("canary_mean").GetDouble() > 0.05, metric.ToString());
        Assert.True(metric.GetProperty("baseline_mean").GetDouble() < 0.02, metric.ToString());
        Assert.StartsWith("canary step 1 (5%) failed: error_ratio worse", analysis.GetProperty("failure_reason").GetString(), StringComparison.Ordinal);
        var detail = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}");
        Assert.Contains(detail.GetProperty("transitions").EnumerateArray(), t => t.GetProperty("to").GetString() == "failed"
            && t.GetProperty("note").GetString()!.StartsWith("canary step 1 (5%) failed: error_ratio", StringComparison.Ordinal));

        // The rollback webhook: one call, with the idempotency key and the deployment's identity, and no second one on later passes.
        var rollback = Assert.Single(receiver.Requests, r => r.Path == "/rollback");
        Assert.Equal($"vigil-deployment-{id}-rollback", rollback.Header("Idempotency-Key"));
        var body = JsonDocument.Parse(rollback.Body).RootElement;
        Assert.Equal((id, "checkout", "production", "v1.4.2", "v1.4.1", 1),
            (body.GetProperty("deployment_id").GetInt32(), body.GetProperty("service").GetString(), body.GetProperty("environment").GetString(),
             body.GetProperty("version").GetString(), body.GetProperty("previous_version").GetString(), body.GetProperty("step").GetInt32()));
        for (var i = 0; i < 4; i++)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(15));
            await server.Services.GetRequiredService<CanaryAnalysis>().PassAsync(CancellationToken.None);
        }
        Assert.Single(receiver.Requests, r => r.Path == "/rollback");
        Assert.NotNull((await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis")).GetProperty("rollback_sent_at").GetString());

        // The DeploymentFailed alert went through routing to the Slack-shaped receiver.
        var alert = Assert.Single(await server.StoredAlertsAsync(), a => a.Labels.Get("alertname") == CanaryAnalysis.FailedAlert);
        Assert.Equal(("checkout", "production", "critical"), (alert.Labels.Get("service"), alert.Labels.Get("environment"), alert.Labels.Get("severity")));
        // Past the route's 30 s group wait. The wait runs from when the dispatcher first grouped the alert,
        // which its own loop may do only after this point: each round moves past a whole group wait again.
        await UntilAsync(async () =>
            {
                Advance(server, TimeSpan.FromSeconds(30));
                await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
                // The outbox sender waits on the (fake) clock between its rounds: wake it.
                server.Services.GetRequiredService<Vigil.Features.Notifications.Delivery.OutboxSender>().Wake();
                return receiver.Requests.Any(r => r.Path.StartsWith("/slack", StringComparison.Ordinal));
            },
            () => Task.FromResult(string.Join(", ", receiver.Requests.Select(r => r.Path))));
        var slack = receiver.Requests.First(r => r.Path.StartsWith("/slack", StringComparison.Ordinal)).Text;
        Assert.Contains("DeploymentFailed", slack, StringComparison.Ordinal);
        Assert.Contains("Deployment v1.4.2 of checkout to production failed: canary step 1 (5%) failed", slack, StringComparison.Ordinal);

        // The deployment's console page shows the step report and why it failed.
        var browser = await server.SignInAsync(TestServer.AdminUsername, TestServer.AdminPassword);
        var html = await browser.GetStringAsync($"/deployments/{id}");
        Assert.Contains("<h2>Canary analysis</h2>", html, StringComparison.Ordinal);
        Assert.Contains("data-step=\"1\" data-verdict=\"fail\"", html, StringComparison.Ordinal);
        Assert.Contains("data-metric=\"error_ratio\"", html, StringComparison.Ordinal);
        Assert.Contains("canary step 1 (5%) failed: error_ratio worse", html, StringComparison.Ordinal);
        // With a chart of the canary against the baseline over the hold.
        var chart = html[html.IndexOf("data-chart-step=\"1\" data-chart-metric=\"error_ratio\"", StringComparison.Ordinal)..];
        chart = chart[..chart.IndexOf("</figure>", StringComparison.Ordinal)];
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(chart, "<polyline"));
        Assert.Contains("<title>canary</title>", chart, StringComparison.Ordinal);
        Assert.Contains("<title>baseline</title>", chart, StringComparison.Ordinal);

        // The service's page lists it as failed.
        var servicePage = await browser.GetStringAsync("/catalog/checkout");
        Assert.Contains($"data-deployment=\"{id}\" data-status=\"failed\"", servicePage, StringComparison.Ordinal);

        // An incident opened afterwards on the service shows it on its timeline.
        Advance(server, TimeSpan.FromMinutes(4));
        var opened = await server.Http.PostAsJsonAsync("/api/incidents", new { title = "Checkout errors", services = new[] { new { service = "checkout", impact = "major_outage" } } });
        Assert.True(opened.StatusCode == HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        var incident = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var timeline = (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}")).GetProperty("timeline").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "deployment").Select(r => r.GetProperty("text").GetString()).ToList();
        var row = Assert.Single(timeline);
        Assert.Matches($"^Deployed v1\\.4\\.2 of checkout to production [0-9]+ minutes before the incident opened \\(failed, deployment #{id}\\)$", row);
    }

    [Fact]
    public async Task A_rollback_webhook_that_fails_is_tried_again_with_backoff_and_the_same_key_until_it_answers()
    {
        receiver.Status = 503;
        var id = await StartCanaryAsync();
        for (var tick = 0; tick < 20; tick++)
        {
            await TickAsync(tick, 10);
        }
        Assert.Equal(DeploymentStatus.Failed, await StatusAsync(id));
        Assert.Single(receiver.Requests, r => r.Path == "/rollback");

        // Tried again 15 s later; then 30 s after that, when the receiver answers again.
        var analysis = server.Services.GetRequiredService<CanaryAnalysis>();
        server.Clock.Advance(TimeSpan.FromSeconds(15));
        await analysis.PassAsync(CancellationToken.None);
        Assert.Equal(2, receiver.Requests.Count(r => r.Path == "/rollback"));
        receiver.Status = 200;
        server.Clock.Advance(TimeSpan.FromSeconds(15));
        await analysis.PassAsync(CancellationToken.None);
        Assert.Equal(2, receiver.Requests.Count(r => r.Path == "/rollback"));
        server.Clock.Advance(TimeSpan.FromSeconds(15));
        await analysis.PassAsync(CancellationToken.None);
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await analysis.PassAsync(CancellationToken.None);

        var key = CanaryAnalysis.IdempotencyKey(id);
        Assert.Equal((3, 1), (receiver.Requests.Count(r => r.Path == "/rollback" && r.Header("Idempotency-Key") == key), receiver.Requests.Count(r => r.Path == "/rollback" && r.Answered == 200)));
        var state = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis");
        Assert.Equal(3, state.GetProperty("rollback_attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("rollback_error").ValueKind);
    }

    [Fact]
    public async Task A_healthy_canary_passes_every_step_and_succeeds_after_the_watch_window()
    {
        var id = await StartCanaryAsync();
        var started = server.Clock.GetUtcNow();
        var tick = 0;
        while (await StatusAsync(id) == DeploymentStatus.InProgress && tick < 80)
        {
            // The canary's errors vary as the baseline's do, a tick apart.
            await TickAsync(tick, 1 + ((tick + 1) % 2));
            tick++;
        }

        Assert.Equal(DeploymentStatus.Succeeded, await StatusAsync(id));
        // Two 5-minute holds, the full rollout's watch of 2 minutes.
        Assert.Equal(TimeSpan.FromMinutes(12), server.Clock.GetUtcNow() - started);
        var analysis = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis");
        Assert.Equal(
            [(1, 5.0, "pass"), (2, 50.0, "pass")],
            analysis.GetProperty("reports").EnumerateArray().Select(r => (r.GetProperty("step").GetInt32(), r.GetProperty("weight").GetDouble(), r.GetProperty("verdict").GetString())).ToList());
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/rollback");
        Assert.DoesNotContain(await server.StoredAlertsAsync(), a => a.Labels.Get("alertname") == CanaryAnalysis.FailedAlert);
    }

    [Fact]
    public async Task An_alert_on_the_service_inside_the_watch_window_fails_the_deployment()
    {
        var id = await StartCanaryAsync();
        for (var tick = 0; tick < 40; tick++)
        {
            await TickAsync(tick, 1 + ((tick + 1) % 2));
        }
        // Both steps passed at 10 minutes; the watch window runs to 12.
        Assert.Equal(DeploymentStatus.InProgress, await StatusAsync(id));
        // An alert on the service reaches routing (as a rule's or an integration's would).
        await server.Services.GetRequiredService<Vigil.Features.Alerting.IAlertIngest>().PutAsync(
            [new(Labels.Of("alertname", "CheckoutLatencyHigh", "service", "checkout"), Labels.Empty, server.Clock.GetUtcNow(), null, "", "test")], CancellationToken.None);
        await TickAsync(40, 1);

        Assert.Equal(DeploymentStatus.Failed, await StatusAsync(id));
        var analysis = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis");
        Assert.Equal("alert CheckoutLatencyHigh fired on checkout within the 2m watch window", analysis.GetProperty("failure_reason").GetString());
        Assert.Single(receiver.Requests, r => r.Path == "/rollback");
    }

    [Fact]
    public async Task A_rule_alert_that_fired_and_resolved_inside_the_watch_window_fails_the_deployment_even_once_routing_forgot_it()
    {
        var id = await StartCanaryAsync();
        for (var tick = 0; tick < 40; tick++)
        {
            await TickAsync(tick, 1 + ((tick + 1) % 2));
        }
        Assert.Equal(DeploymentStatus.InProgress, await StatusAsync(id));

        // Inside the watch window, with no analysis pass meanwhile: a burst of canary errors fires the rule, then it resolves.
        var evaluations = server.Services.GetRequiredService<Vigil.Features.Alerting.Evaluation.EvaluateRules>();
        var fired = false;
        for (var tick = 40; tick < 52; tick++)
        {
            var before = evaluations.Groups.Sum(g => g.Evaluations);
            await TickAsync(tick, tick == 40 ? 400 : 1, tick == 40 ? 400 : 100, pass: false);
            await UntilAsync(() => Task.FromResult(evaluations.Groups.Sum(g => g.Evaluations) > before));
            fired |= server.Alert("CheckoutErrorBurst")?.Phase == Vigil.Features.Alerting.Rules.AlertPhase.Firing;
        }
        Assert.True(fired, "the rule never fired");
        Assert.NotEqual(Vigil.Features.Alerting.Rules.AlertPhase.Firing, server.Alert("CheckoutErrorBurst")?.Phase ?? Vigil.Features.Alerting.Rules.AlertPhase.Inactive);

        // No pass for a while (no replica held the lease): the rule stops resending the resolution after 15 minutes
        // (Prometheus's resolved retention), routing flushes it and forgets the alert. Only its state history is left.
        for (var i = 0; i < 12 && (await server.StoredAlertsAsync()).Any(a => a.Labels.Get("alertname") == "CheckoutErrorBurst"); i++)
        {
            await server.AdvanceAndEvaluateAsync(TimeSpan.FromMinutes(5));
            await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
        }
        Assert.DoesNotContain(await server.StoredAlertsAsync(), a => a.Labels.Get("alertname") == "CheckoutErrorBurst");

        await server.Services.GetRequiredService<CanaryAnalysis>().PassAsync(CancellationToken.None);
        Assert.Equal(DeploymentStatus.Failed, await StatusAsync(id));
        var analysis = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis");
        Assert.Equal("alert CheckoutErrorBurst fired on checkout within the 2m watch window", analysis.GetProperty("failure_reason").GetString());
        Assert.Single(receiver.Requests, r => r.Path == "/rollback");
    }

    [Fact]
    public async Task A_blue_green_deployment_whose_green_errors_more_than_blue_fails_its_verification_and_switches_back_once()
    {
        // The canary target plays green, the baseline blue.
        var id = await StartCanaryAsync("live", "blue_green");
        var started = server.Clock.GetUtcNow();
        for (var tick = 0; tick < 40 && await StatusAsync(id) == DeploymentStatus.InProgress; tick++)
        {
            await TickAsync(tick, 10);
        }

        Assert.Equal(DeploymentStatus.Failed, await StatusAsync(id));
        Assert.Equal(TimeSpan.FromMinutes(5), server.Clock.GetUtcNow() - started);
        var analysis = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis");
        var report = Assert.Single(analysis.GetProperty("reports").EnumerateArray());
        Assert.Equal((1, 0.0, "fail"), (report.GetProperty("step").GetInt32(), report.GetProperty("weight").GetDouble(), report.GetProperty("verdict").GetString()));
        Assert.StartsWith("blue-green verification (green against blue) failed: error_ratio worse", analysis.GetProperty("failure_reason").GetString(), StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(15));
            await server.Services.GetRequiredService<CanaryAnalysis>().PassAsync(CancellationToken.None);
        }
        var switchBack = Assert.Single(receiver.Requests, r => r.Path == "/switch-back");
        Assert.Equal(CanaryAnalysis.IdempotencyKey(id), switchBack.Header("Idempotency-Key"));
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/rollback");
        var alert = Assert.Single(await server.StoredAlertsAsync(), a => a.Labels.Get("alertname") == CanaryAnalysis.FailedAlert);
        Assert.Equal(("checkout", "live"), (alert.Labels.Get("service"), alert.Labels.Get("environment")));
    }

    [Fact]
    public async Task A_healthy_blue_green_deployment_is_verified_then_watched_after_the_switch_and_succeeds_keeping_blue_a_day()
    {
        var id = await StartCanaryAsync("live", "blue_green");
        var started = server.Clock.GetUtcNow();
        var tick = 0;
        for (; tick < 20; tick++)
        {
            await TickAsync(tick, 1 + ((tick + 1) % 2));
        }
        // Verified at 5 minutes: step 2 is the switch, and the watch window runs to 8.
        var verified = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/analysis");
        Assert.Equal((2, DeploymentStatus.InProgress), (verified.GetProperty("step").GetInt32(), await StatusAsync(id)));
        Assert.Equal(started + TimeSpan.FromMinutes(8), verified.GetProperty("watch_ends_at").GetDateTimeOffset());
        for (; tick < 40 && await StatusAsync(id) == DeploymentStatus.InProgress; tick++)
        {
            await TickAsync(tick, 1 + ((tick + 1) % 2));
        }

        Assert.Equal(DeploymentStatus.Succeeded, await StatusAsync(id));
        Assert.Equal(TimeSpan.FromMinutes(8), server.Clock.GetUtcNow() - started);
        var detail = await server.Http.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}");
        var note = detail.GetProperty("transitions").EnumerateArray().Last().GetProperty("note").GetString();
        var keepUntil = (server.Clock.GetUtcNow() + TimeSpan.FromHours(24)).UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"blue-green: green passed its verification against blue and no alert fired on checkout within the 3m watch window; keep blue (v1.4.1) until {keepUntil}", note);
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/switch-back");
    }
}

/// <summary>A service's Prometheus text exposition on a loopback port: request counters by status code that the test bumps.</summary>
internal sealed class ExpositionTarget : IAsyncDisposable
{
    private readonly Vigil.Tests.Monitors.TargetServer server;
    private double ok, errors;
    private string body = Exposition(0, 0);

    private ExpositionTarget(Vigil.Tests.Monitors.TargetServer server) => this.server = server;

    /// <summary><c>host:port</c> for a static scrape target.</summary>
    public string Address => new Uri(server.Url).Authority;

    public static async Task<ExpositionTarget> StartAsync()
    {
        ExpositionTarget? target = null;
        var server = await Vigil.Tests.Monitors.TargetServer.StartAsync(app =>
            app.MapGet("/metrics", () => Microsoft.AspNetCore.Http.Results.Text(Volatile.Read(ref target!.body), "text/plain; version=0.0.4; charset=utf-8")));
        target = new ExpositionTarget(server);
        return target;
    }

    /// <summary>Counts <paramref name="requests"/> more requests, <paramref name="failed"/> of them answered 500.</summary>
    public void Serve(int requests, int failed)
    {
        ok += requests - failed;
        errors += failed;
        Volatile.Write(ref body, Exposition(ok, errors));
    }

    private static string Exposition(double ok, double errors) => $$"""
        # HELP http_requests_total Requests served, by status code.
        # TYPE http_requests_total counter
        http_requests_total{code="200"} {{ok.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
        http_requests_total{code="500"} {{errors.ToString(System.Globalization.CultureInfo.InvariantCulture)}}

        """;

    public ValueTask DisposeAsync() => server.DisposeAsync();
}

public sealed class CanaryAnalysisOnSqlite : CanaryAnalysisTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class CanaryAnalysisOnPostgres(PostgresServer postgres) : CanaryAnalysisTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

/// <summary>The canary plan's config rules: each mistake at its file:line, naming what is wrong.</summary>
public sealed class CanaryPlanConfigTests
{
    [Fact]
    public void A_query_that_does_not_parse_and_other_plan_mistakes_are_config_errors_at_their_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            deployments:
              environments:
                - name: production
                  canary:
                    steps:
                      - {weight: 5}
                      - {weight: 150, hold: soon}
                    metrics:
                      - name: error_ratio
                        canary: 'sum(rate(http_requests_total{code="500"}[5m])'
                        baseline: 'http_requests_total[5m]'
                        direction: sideways
                    rollback_webhook: not-a-url
            """, new Hashtable());

        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:6:", StringComparison.Ordinal) && e.Contains("only the last step may omit its hold time", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:7:", StringComparison.Ordinal) && e.Contains("150 is not a traffic share", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:7:", StringComparison.Ordinal) && e.Contains("\"soon\" is not a duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:10:", StringComparison.Ordinal) && e.Contains("not a PromQL query", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:11:", StringComparison.Ordinal) && e.Contains("not an instant vector or scalar", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:12:", StringComparison.Ordinal) && e.Contains("\"sideways\" is not one of increase, decrease, either", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:13:", StringComparison.Ordinal) && e.Contains("is not an http(s) URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Blue_green_plan_mistakes_are_config_errors_at_their_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            deployments:
              environments:
                - name: production
                  blue_green:
                    metrics:
                      - name: error_ratio
                        canary: 'sum(rate(http_requests_total{code="500"}[5m])'
                        baseline: 'sum(rate(http_requests_total{code="500"}[5m]))'
                    verify: 0s
                    watch: later
                    keep_previous: a day
                    rollback_webhook: ftp://deployer
            """, new Hashtable());

        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:7:", StringComparison.Ordinal) && e.Contains("not a PromQL query", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:9:", StringComparison.Ordinal) && e.Contains("\"0s\" is not a duration above 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:10:", StringComparison.Ordinal) && e.Contains("\"later\" is not a duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:11:", StringComparison.Ordinal) && e.Contains("\"a day\" is not a duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("vigil.yaml:12:", StringComparison.Ordinal) && e.Contains("is not an http(s) URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Five_twenty_five_fifty_hundred_with_thirty_minute_holds_loads()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            deployments:
              environments:
                - name: production
                  canary:
                    steps: [{weight: 5, hold: 30m}, {weight: 25, hold: 30m}, {weight: 50, hold: 30m}, {weight: 100}]
                    metrics:
                      - {name: p95, canary: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{track="canary"}[5m])))', baseline: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{track="baseline"}[5m])))', max: 0.5}
                    watch: 30m
            """, new Hashtable());

        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var plan = loaded.Config.Deployments.Environments[0].Canary!;
        Assert.Equal([TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30), null], plan.Steps.Select(s => s.HoldSpan));
        Assert.Equal(TimeSpan.FromMinutes(30), plan.WatchSpan);
    }
}
