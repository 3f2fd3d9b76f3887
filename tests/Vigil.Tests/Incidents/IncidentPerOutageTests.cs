using System.Collections;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Configuration;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Incidents;
using Vigil.Features.Slos;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Incidents;

/// <summary>
/// The seeds' database outage through the real server on a fake clock: several alert names make one
/// incident per service with the later alerts on its timeline; after it resolves, alerts that started
/// during it or within the cool-down page nobody; an outage after the cool-down opens a new one; the
/// SLO burn alerts Vigil generates page through the severity's policy.
/// </summary>
public abstract class IncidentPerOutageTests : IAsyncLifetime
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
            channels:
              - name: oncall
                type: webhook
                url: {{receiver.Url}}/oncall
            routing:
              resolve_timeout: 5h
              route:
                receiver: oncall
                # Each alert its own group, so each is first notified group_wait after it arrives,
                # whatever passes the dispatcher runs in the background meanwhile.
                group_by: [alertname, service, long_window]
                group_wait: 30s
                group_interval: 1m
                open_incident: true
            incidents:
              cooldown: 15m
              severities:
                - {name: P1, escalation_policy: urgent}
                - {name: P2, escalation_policy: urgent}
                - {name: P3}
                - {name: P4}
            paging:
              external_url: https://vigil.example.com
            contacts:
              - name: pager
                webhook: {{receiver.Url}}/pager
            escalation_policies:
              - name: urgent
                levels:
                  - targets: [{contact: pager}]
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private Task FireAsync(string alertname, string severity, params string[] labels) =>
        server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [new IncomingAlert(Labels.Of([.. labels, "alertname", alertname, "service", "db", "severity", severity]), Labels.Of("summary", $"db {alertname}"), null, null, "", "rule")],
            CancellationToken.None);

    private Task ResolveAsync(string alertname, string severity, params string[] labels) =>
        server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [new IncomingAlert(Labels.Of([.. labels, "alertname", alertname, "service", "db", "severity", severity]), Labels.Of("summary", $"db {alertname}"), null, server.Clock.GetUtcNow(), "", "rule")],
            CancellationToken.None);

    private async Task DispatchAtAsync(DateTimeOffset at)
    {
        await server.MoveClockAsync(at);
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
    }

    /// <summary>One per idempotency key: a webhook retried after a slow answer is the same page (at-least-once transport, exactly-once per key).</summary>
    private List<string> Pages() => [.. receiver.Requests.Where(r => r.Path == "/pager").DistinctBy(r => r.Header("Idempotency-Key") ?? r.Text).Select(r => r.Text)];

    private async Task UntilPagedAsync(int count)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Pages().Count < count && waited.Elapsed < Patience.Of(TimeSpan.FromSeconds(20)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
        if (Pages().Count < count)
        {
            // What the outbox holds says where the page stopped: never queued, waiting, or failed.
            var outbox = await server.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
                db.Set<Vigil.Features.Notifications.Outbox.OutboxMessage>().Select(m => $"{m.Channel} {m.Status} attempts={m.Attempts} next={m.NextAttemptAt:O} error={m.LastError}")));
            Assert.Fail($"expected {count} pages at {server.Clock.GetUtcNow():O}, got: {string.Join(" | ", Pages())}; outbox: {string.Join(" | ", outbox)}");
        }
    }

    private async Task<List<JsonElement>> IncidentsAsync() => [.. (await server.Http.GetFromJsonAsync<JsonElement[]>("/api/incidents") ?? []).OrderBy(i => i.GetProperty("id").GetString())];

    private async Task<List<string>> TimelineAsync(string id, DateTimeOffset t0) =>
        [.. (await server.Http.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}")).GetProperty("timeline").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() is "opened" or "alert" or "resolved")
            // Rows of one moment in a stable order: the two groups flushed together may come in either.
            .OrderBy(r => r.GetProperty("at").GetDateTimeOffset()).ThenBy(r => r.GetProperty("kind").GetString() != "opened").ThenBy(r => r.GetProperty("text").GetString(), StringComparer.Ordinal)
            .Select(r => $"{(r.GetProperty("at").GetDateTimeOffset() - t0).TotalSeconds} {r.GetProperty("kind").GetString()}: {r.GetProperty("text").GetString()}")];

    [Fact]
    public async Task One_outage_with_several_alert_names_is_one_incident_and_its_recovery_pages_nobody()
    {
        var t0 = server.Clock.GetUtcNow();
        await FireAsync("MonitorDown", "critical", "monitor", "db-tcp");
        await FireAsync("HighLatency", "critical");
        await DispatchAtAsync(t0.AddSeconds(30));
        // The burn-rate alert starts during the outage: it joins the same incident.
        await server.MoveClockAsync(t0.AddMinutes(2));
        await FireAsync(GenerateBurnRateRules.AlertName, "page", "slo", "db-availability", "long_window", "1h");
        await DispatchAtAsync(t0.AddMinutes(2).AddSeconds(30));

        var incident = Assert.Single(await IncidentsAsync());
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal("P1", incident.GetProperty("severity").GetString());
        await UntilPagedAsync(1);

        // Recovery: the incident is resolved and its alerts resolve, but a slower burn alert that
        // started just before the resolution is first notified after it, and another alert starts
        // within the cool-down. Neither opens an incident or pages.
        await server.MoveClockAsync(t0.AddMinutes(9).AddSeconds(50));
        await FireAsync(GenerateBurnRateRules.AlertName, "page", "slo", "db-availability", "long_window", "6h");
        await server.MoveClockAsync(t0.AddMinutes(10));
        Assert.True((await server.Http.PostAsync($"/api/incidents/{id}/resolve", null)).IsSuccessStatusCode);
        await ResolveAsync("MonitorDown", "critical", "monitor", "db-tcp");
        await ResolveAsync("HighLatency", "critical");
        await DispatchAtAsync(t0.AddMinutes(10).AddSeconds(20));
        await server.MoveClockAsync(t0.AddMinutes(12));
        await FireAsync("ReplicationLag", "critical");
        await DispatchAtAsync(t0.AddMinutes(12).AddSeconds(30));
        Assert.Single(await IncidentsAsync());

        // The database goes down again after the cool-down: that is a new outage, with a new page.
        await server.MoveClockAsync(t0.AddMinutes(30));
        await FireAsync("MonitorDown", "critical", "monitor", "db-tcp");
        await DispatchAtAsync(t0.AddMinutes(30).AddSeconds(30));
        var incidents = await IncidentsAsync();
        Assert.Equal(["resolved", "triggered"], incidents.Select(i => i.GetProperty("status").GetString()));
        await UntilPagedAsync(2);
        Assert.True(Pages().Count == 2, $"expected 2 pages, got: {string.Join(" | ", Pages())}");
        Assert.Contains("INC-2026-001 P1", Pages()[0], StringComparison.Ordinal);
        Assert.Contains("INC-2026-002 P1", Pages()[1], StringComparison.Ordinal);

        Assert.Equal(
            [
                "30 opened: Opened as P1 (alert); affects db (major_outage)",
                "30 alert: Alert HighLatency {service=\"db\", severity=\"critical\"} firing since 2026-11-02 09:00:00Z: db HighLatency",
                "30 alert: Alert MonitorDown {monitor=\"db-tcp\", service=\"db\", severity=\"critical\"} firing since 2026-11-02 09:00:00Z: db MonitorDown",
                "150 alert: Alert ErrorBudgetBurn {long_window=\"1h\", service=\"db\", severity=\"page\", slo=\"db-availability\"} firing since 2026-11-02 09:02:00Z: db ErrorBudgetBurn",
                $"600 resolved: Resolved by {TestServer.AdminUsername} after 9 minutes",
                "620 alert: Alert ErrorBudgetBurn {long_window=\"6h\", service=\"db\", severity=\"page\", slo=\"db-availability\"} firing since 2026-11-02 09:09:50Z: db ErrorBudgetBurn (after the incident was resolved; no new incident)",
                "750 alert: Alert ReplicationLag {service=\"db\", severity=\"critical\"} firing since 2026-11-02 09:12:00Z: db ReplicationLag (after the incident was resolved; no new incident)",
            ],
            await TimelineAsync(id, t0));
    }

    [Fact]
    public async Task The_slo_burn_alerts_vigil_generates_page_through_their_severitys_policy_and_tickets_do_not()
    {
        var t0 = server.Clock.GetUtcNow();
        var page = ErrorBudget.Alerts[0];
        var ticket = ErrorBudget.Alerts[2];
        Assert.Equal(("page", "ticket"), (page.Severity, ticket.Severity));
        await FireAsync(GenerateBurnRateRules.AlertName, ticket.Severity, "slo", "db-availability");
        await DispatchAtAsync(t0.AddSeconds(30));
        var opened = Assert.Single(await IncidentsAsync());
        Assert.Equal("P3", opened.GetProperty("severity").GetString());

        // A second SLO's page-level burn on another service: a P2 incident, paged through P2's policy.
        await server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [new IncomingAlert(Labels.Of("alertname", GenerateBurnRateRules.AlertName, "service", "api", "slo", "api-latency", "severity", page.Severity), Labels.Of("summary", "api-latency burns its error budget 14.4x too fast"), null, null, "", "rule")],
            CancellationToken.None);
        await DispatchAtAsync(t0.AddMinutes(1).AddSeconds(30));
        var incidents = await IncidentsAsync();
        Assert.Equal(["P3", "P2"], incidents.Select(i => i.GetProperty("severity").GetString()));
        await UntilPagedAsync(1);
        Assert.Contains("INC-2026-002 P2 api", Assert.Single(Pages()), StringComparison.Ordinal);
    }
}

public sealed class IncidentPerOutageOnSqlite : IncidentPerOutageTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class IncidentPerOutageOnPostgres(PostgresServer postgres) : IncidentPerOutageTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}

/// <summary>The pure decision and the config rules of opening incidents from alerts.</summary>
public class IncidentFromAlertsDecisionTests
{
    private static readonly DateTimeOffset Resolved = DateTimeOffset.Parse("2026-11-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Features.Notifications.NotifiedAlert Alert(string name, int startsMinutesAfterResolution) =>
        new(Features.Notifications.AlertStatus.Firing, Labels.Of("alertname", name, "service", "db"), Labels.Empty, Resolved.AddMinutes(startsMinutesAfterResolution), null, "");

    [Theory]
    [InlineData("no incident yet: it opens one", null, -60, "", "a")]
    [InlineData("an open incident: it joins", true, -60, "a", "")]
    [InlineData("started during the incident: it joins the resolved one", false, -5, "a", "")]
    [InlineData("started within the cool-down: it joins", false, 14, "a", "")]
    [InlineData("started after the cool-down: a new incident", false, 15, "", "a")]
    public void Where_a_new_alert_goes(string _, bool? open, int startsMinutesAfterResolution, string attach, string opens)
    {
        var latest = open is null ? null : new OpenIncidentFromAlerts.LatestIncident(open.Value, open.Value ? null : Resolved);
        var (a, o) = OpenIncidentFromAlerts.Decide(latest, [Alert("a", startsMinutesAfterResolution)], [], TimeSpan.FromMinutes(15));
        Assert.Equal((attach, opens), (string.Join(",", a.Select(x => x.Labels.Get("alertname"))), string.Join(",", o.Select(x => x.Labels.Get("alertname")))));
    }

    [Fact]
    public void An_alert_that_fires_again_after_the_cool_down_opens_a_new_incident_even_though_the_old_one_holds_it()
    {
        var again = Alert("a", 30);
        var (attach, open) = OpenIncidentFromAlerts.Decide(new(false, Resolved), [again], [again.Fingerprint], TimeSpan.FromMinutes(15));
        Assert.Empty(attach);
        Assert.Equal([again], open);
        var (stillKnown, none) = OpenIncidentFromAlerts.Decide(new(true, null), [again], [again.Fingerprint], TimeSpan.FromMinutes(15));
        Assert.Empty(stillKnown);
        Assert.Empty(none);
    }

    [Fact]
    public void Every_severity_vigil_emits_maps_to_a_default_severity()
    {
        var settings = new IncidentSettings();
        string[] emitted = ["critical", "warning", "none", .. ErrorBudget.Alerts.Select(a => a.Severity).Distinct()];
        Assert.Equal(
            ["critical=P1", "none=P4", "page=P2", "ticket=P3", "warning=P3"],
            emitted.Order(StringComparer.Ordinal).Select(s => $"{s}={settings.SeverityForAlert(s)}"));
    }

    [Fact]
    public void Custom_severities_without_their_own_alert_severities_are_one_error_that_says_what_to_map()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            incidents:
              default_severity: SEV3
              severities:
                - name: SEV1
                - name: SEV3
              group_by: [service, not-a-label]
            """, new Hashtable());
        Assert.Equal(
            [
                "vigil.yaml:4:5: custom severities need incidents.alert_severities: map the alert severities (critical, page, high, error, warning, ticket, medium, low, info, none) to SEV1, SEV3",
                "vigil.yaml:6:23: invalid label name \"not-a-label\"",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}
