using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Configuration;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>
/// The seeds' scenarios on a real server with a real webhook receiver: the API needs the database;
/// only the database's outage holds back the API's symptoms, and never its security, certificate
/// or unrelated alerts, nor when the outage is itself muted.
/// </summary>
public abstract class DependencySuppressionTests : IAsyncLifetime
{
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
            services:
              - name: db
              - name: api
                dependencies: [{service: db, critical: true}]
            channels:
              - name: oncall
                type: webhook
                url: {{receiver.Url}}/oncall
            routing:
              resolve_timeout: 5h
              route:
                receiver: oncall
                group_by: [alertname, service]
                group_wait: 0s
                group_interval: 1m
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private static IncomingAlert Alert(string service, string alertname, params string[] labels) =>
        new(Labels.Of([.. labels, "alertname", alertname, "service", service]), Labels.Empty, null, null, "", "rule");

    /// <summary>Dispatches once, then waits until the receiver got <paramref name="count"/> notifications; returns "service alertname" of every alert it got.</summary>
    private async Task<List<string>> DeliveredAsync(int count)
    {
        // The clock moves only once what is due was attempted: a send's timeout runs on it.
        await server.MoveClockAsync(server.Clock.GetUtcNow().AddMinutes(1));
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (receiver.AcceptedKeys.Count < count && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await server.MoveClockAsync(server.Clock.GetUtcNow().AddSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
        return [.. receiver.Requests.Where(r => r.Path == "/oncall")
            .SelectMany(r => JsonDocument.Parse(r.Text).RootElement.GetProperty("alerts").EnumerateArray())
            .Select(a => $"{a.GetProperty("labels").GetProperty("service").GetString()} {a.GetProperty("labels").GetProperty("alertname").GetString()}")
            .Distinct().Order(StringComparer.Ordinal)];
    }

    private async Task<JsonElement> AlertAsync(string service, string alertname) =>
        (await server.Http.GetFromJsonAsync<JsonElement>($"/api/alerts?matcher={Uri.EscapeDataString($"alertname=\"{alertname}\"")}&matcher={Uri.EscapeDataString($"service=\"{service}\"")}"))
            .EnumerateArray().Single();

    [Fact]
    public async Task While_the_database_is_down_the_apis_error_page_is_held_back_but_its_security_and_certificate_alerts_are_delivered()
    {
        await server.Services.GetRequiredService<IAlertIngest>().PutAsync([
            Alert("db", "MonitorDown", "severity", "critical", "monitor", "db-tcp"),
            Alert("api", "HighErrorRate", "severity", "critical"),
            Alert("api", "IntrusionDetected", "severity", "critical", "category", "security"),
            Alert("api", "FailedLoginsSpike", "severity", "warning", "category", "security"),
            Alert("api", "CertificateExpiring", "severity", "warning"),
        ], CancellationToken.None);

        Assert.Equal(
            ["api CertificateExpiring", "api FailedLoginsSpike", "api IntrusionDetected", "db MonitorDown"],
            await DeliveredAsync(4));
        var held = await AlertAsync("api", "HighErrorRate");
        Assert.Equal("suppressed", held.GetProperty("state").GetString());
        Assert.Equal((await AlertAsync("db", "MonitorDown")).GetProperty("fingerprint").GetString(), held.GetProperty("suppressed").GetProperty("dependency").GetString());
    }

    [Fact]
    public async Task A_missed_backup_heartbeat_or_a_burn_rate_alert_of_the_database_does_not_hold_back_the_apis_page()
    {
        await server.Services.GetRequiredService<IAlertIngest>().PutAsync([
            Alert("db", "HeartbeatMissed", "severity", "critical", "monitor", "db-backup"),
            Alert("db", "ErrorBudgetBurn", "severity", "ticket", "slo", "db-availability", "long_window", "3d"),
            Alert("api", "HighErrorRate", "severity", "critical"),
        ], CancellationToken.None);

        Assert.Equal(["api HighErrorRate", "db ErrorBudgetBurn", "db HeartbeatMissed"], await DeliveredAsync(3));
    }

    [Fact]
    public async Task With_the_database_under_maintenance_its_muted_outage_holds_back_nothing()
    {
        var now = server.Clock.GetUtcNow();
        var window = await server.Http.PostAsJsonAsync("/api/maintenance-windows", new
        {
            name = "db-upgrade",
            service = "db",
            starts_at = now.AddMinutes(-1).ToString("O"),
            ends_at = now.AddHours(2).ToString("O"),
        });
        Assert.Equal(HttpStatusCode.Created, window.StatusCode);
        await server.Services.GetRequiredService<IAlertIngest>().PutAsync([
            Alert("db", "MonitorDown", "severity", "critical"),
            Alert("api", "HighErrorRate", "severity", "critical"),
        ], CancellationToken.None);

        Assert.Equal(["api HighErrorRate"], await DeliveredAsync(1));
        Assert.Equal("db-upgrade", (await AlertAsync("db", "MonitorDown")).GetProperty("suppressed").GetProperty("maintenance")[0].GetString());
        Assert.Equal("active", (await AlertAsync("api", "HighErrorRate")).GetProperty("state").GetString());
    }
}

public sealed class DependencySuppressionOnSqlite : DependencySuppressionTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DependencySuppressionOnPostgres(PostgresServer postgres) : DependencySuppressionTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

/// <summary><c>routing.dependency_rules</c> and Alertmanager's <c>inhibit_rules</c> forms in vigil.yaml.</summary>
public class DependencyRuleConfigTests
{
    [Fact]
    public void Dependency_rules_and_alertmanagers_older_inhibit_rule_forms_load_and_their_mistakes_are_errors_at_their_line()
    {
        var good = ConfigLoader.Parse("vigil.yaml", """
            routing:
              dependency_rules:
                - source_matchers: ['alertname="DatabaseUnreachable"']
                  equal: [environment]
              inhibit_rules:
                - source_match: {alertname: NodeDown}
                  target_match_re: {severity: 'warning|info'}
                  equal: [instance]
            """, new Dictionary<string, string>());
        Assert.Empty(good.Errors);
        Assert.Equal("NodeDown", good.Config.Routing.InhibitRules[0].SourceMatch["alertname"]);
        Assert.Equal(["environment"], good.Config.Routing.EffectiveDependencyRules.Single().Equal);

        var bad = ConfigLoader.Parse("vigil.yaml", """
            routing:
              dependency_rules:
                - source_matchers: ['alertname=~"(Down"']
                  equal: [not-a-label]
              inhibit_rules:
                - source_match_re: {alertname: '(Node'}
            """, new Dictionary<string, string>());
        var errors = bad.Errors.OrderBy(e => e.Line).ThenBy(e => e.Reason, StringComparer.Ordinal).Select(e => e.ToString()).ToList();
        Assert.Collection(
            errors,
            e => Assert.Matches(@"^vigil\.yaml:3:\d+: .*\(Down", e),
            e => Assert.Matches(@"^vigil\.yaml:4:\d+: invalid label name ""not-a-label""$", e),
            e => Assert.Matches(@"^vigil\.yaml:6:\d+: an inhibition rule needs target_matchers", e),
            e => Assert.Matches(@"^vigil\.yaml:6:\d+: invalid regular expression ""\(Node""", e));
    }
}
