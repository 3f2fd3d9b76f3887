using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Access;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>Silences and inhibition mute notifications; a receiver told of a firing alert still hears it resolve; /api/alerts says why.</summary>
public abstract class SilenceTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        channels:
          - name: oncall
            type: webhook
            url: http://127.0.0.1:9/
        routing:
          resolve_timeout: 5h
          route:
            receiver: oncall
            group_by: [alertname, service]
            group_wait: 30s
            group_interval: 1m
          inhibit_rules:
            - source_matchers: ['alertname="ServiceDown"']
              target_matchers: ['severity="warning"']
              equal: [service]
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task AtAsync(TimeSpan sinceStart, DateTimeOffset start)
    {
        server.Clock.SetUtcNow(start + sinceStart);
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
    }

    private Task PutAsync(string name, string service, string severity, DateTimeOffset? endsAt = null) =>
        server.Services.GetRequiredService<IAlertIngest>().PutAsync(
            [new IncomingAlert(Labels.Of("alertname", name, "service", service, "severity", severity), Labels.Empty, null, endsAt, "", "rule")], CancellationToken.None);

    private async Task<List<(string Alertname, string Status)>> SentAsync() =>
        [.. (await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).ToListAsync()))
            .SelectMany(m => NotificationRequest.FromJson(m.Payload).Alerts.Select(a => (a.Labels["alertname"] + "/" + a.Labels["service"], a.Status.ToString())))];

    private async Task<JsonElement> CreateSilenceAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/silences", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_silenced_alert_is_not_notified_and_the_api_shows_the_silence()
    {
        var start = server.Clock.GetUtcNow();
        var operatorClient = await server.ClientFor(Role.Operator);
        var silence = await CreateSilenceAsync(operatorClient, new { matchers = new[] { "service=\"api\"" }, ends_at = start.AddHours(1), comment = "deploying api" });
        var id = silence.GetProperty("id").GetString()!;
        Assert.Equal(("active", "deploying api"), (silence.GetProperty("state").GetString(), silence.GetProperty("comment").GetString()));
        Assert.Equal(TestServer.AdminUsername, silence.GetProperty("created_by").GetString());

        await PutAsync("HighLatency", "api", "critical");
        await PutAsync("HighLatency", "web", "critical");
        await AtAsync(TimeSpan.FromMinutes(1), start);
        Assert.Equal([("HighLatency/web", "Firing")], await SentAsync());

        var alerts = await server.Http.GetFromJsonAsync<JsonElement>("/api/alerts?state=suppressed");
        var suppressed = Assert.Single(alerts.EnumerateArray());
        Assert.Equal("api", suppressed.GetProperty("labels").GetProperty("service").GetString());
        Assert.Equal(id, suppressed.GetProperty("suppressed").GetProperty("silenced_by")[0].GetString());

        // Expiring the silence lets the alert through at the next group flush.
        var expired = await operatorClient.DeleteAsync($"/api/silences/{id}");
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        Assert.Equal("expired", (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        await AtAsync(TimeSpan.FromMinutes(2), start);
        Assert.Equal([("HighLatency/web", "Firing"), ("HighLatency/api", "Firing")], await SentAsync());
        Assert.Equal(["create", "expire"], (await server.AuditAsync()).Where(e => e.Resource == "silence").Select(e => e.Action));
    }

    [Fact]
    public async Task A_receiver_told_of_a_firing_alert_hears_it_resolve_even_if_it_was_silenced_since()
    {
        var start = server.Clock.GetUtcNow();
        await PutAsync("HighLatency", "api", "critical");
        await AtAsync(TimeSpan.FromSeconds(30), start);
        await CreateSilenceAsync(server.Http, new { matchers = new[] { "alertname=\"HighLatency\"" }, ends_at = start.AddHours(1), comment = "known" });
        await AtAsync(TimeSpan.FromMinutes(2), start);
        await PutAsync("HighLatency", "api", "critical", start.AddMinutes(2));
        await AtAsync(TimeSpan.FromMinutes(3), start);
        Assert.Equal([("HighLatency/api", "Firing"), ("HighLatency/api", "Resolved")], await SentAsync());
        // One more pass: the dispatcher's own loop may have taken the flush, leaving the collection to the next pass.
        await AtAsync(TimeSpan.FromMinutes(3).Add(TimeSpan.FromSeconds(1)), start);

        var detail = await server.Http.GetFromJsonAsync<JsonElement>($"/api/alerts/{Vigil.Features.Notifications.AlertFingerprint.Of(Labels.Of("alertname", "HighLatency", "service", "api", "severity", "critical"))}");
        Assert.Equal(
            ["received/firing", "notified/firing", "received/resolved", "resolved/resolved", "notified/resolved"],
            detail.GetProperty("history").EnumerateArray().Select(h => $"{h.GetProperty("kind").GetString()}/{h.GetProperty("status").GetString()}"));
    }

    [Fact]
    public async Task Each_arrival_is_recorded_with_the_state_it_brought_while_passes_run_alongside()
    {
        // An alert flapping once a second, each put racing a pass: a pass that read the alerts just
        // before a put committed must not record that put's arrival from its older read.
        var start = server.Clock.GetUtcNow();
        var dispatch = server.Services.GetRequiredService<DispatchAlerts>();
        var expected = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var at = start.AddSeconds(i);
            server.Clock.SetUtcNow(at);
            var resolved = i % 2 == 1;
            await Task.WhenAll(PutAsync("Flapping", "api", "critical", resolved ? at : null), dispatch.RunOnceAsync(CancellationToken.None));
            expected.Add($"{i}s/{(resolved ? "resolved" : "firing")}");
        }
        await dispatch.RunOnceAsync(CancellationToken.None);

        var detail = await server.Http.GetFromJsonAsync<JsonElement>($"/api/alerts/{Vigil.Features.Notifications.AlertFingerprint.Of(Labels.Of("alertname", "Flapping", "service", "api", "severity", "critical"))}");
        Assert.Equal(
            expected,
            detail.GetProperty("history").EnumerateArray().Where(h => h.GetProperty("kind").GetString() == "received")
                .Select(h => $"{Math.Round((h.GetProperty("at").GetDateTimeOffset() - start).TotalSeconds)}s/{h.GetProperty("status").GetString()}"));
    }

    [Fact]
    public async Task A_firing_source_inhibits_warnings_of_the_same_service_only()
    {
        var start = server.Clock.GetUtcNow();
        await PutAsync("ServiceDown", "api", "critical");
        await PutAsync("HighLatency", "api", "warning");
        await PutAsync("HighLatency", "web", "warning");
        await AtAsync(TimeSpan.FromSeconds(30), start);
        Assert.Equal([("HighLatency/web", "Firing"), ("ServiceDown/api", "Firing")], (await SentAsync()).Order());
        var inhibited = Assert.Single((await server.Http.GetFromJsonAsync<JsonElement>("/api/alerts?state=suppressed&matcher=service%3D%22api%22")).EnumerateArray());
        Assert.Equal("HighLatency", inhibited.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Single(inhibited.GetProperty("suppressed").GetProperty("inhibited_by").EnumerateArray());
    }

    [Fact]
    public async Task Bad_silences_are_refused_naming_the_field_and_viewers_may_not_silence()
    {
        var now = server.Clock.GetUtcNow();
        var bad = await server.Http.PostAsJsonAsync("/api/silences", new { matchers = new[] { "service=~\".*\"" }, ends_at = now.AddHours(-1), comment = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["comment", "ends_at", "matchers"], errors.EnumerateObject().Select(p => p.Name).Order());
        var viewer = await server.ClientFor(Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/silences", new { matchers = new[] { "a=\"b\"" }, ends_at = now.AddHours(1), comment = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/silences")).StatusCode);
        Assert.Equal(0, await server.QueryAsync(db => db.Set<Vigil.Features.Alerting.Silences.Silence>().CountAsync()));
    }

    [Fact]
    public async Task A_silence_is_extended_with_put_and_listed_by_state()
    {
        var now = server.Clock.GetUtcNow();
        var id = (await CreateSilenceAsync(server.Http, new { matchers = new[] { "service=\"db\"" }, ends_at = now.AddHours(1), comment = "vacuum" })).GetProperty("id").GetString();
        var extended = await server.Http.PutAsJsonAsync($"/api/silences/{id}", new { ends_at = now.AddHours(3) });
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        server.Clock.Advance(TimeSpan.FromHours(2));
        var active = await server.Http.GetFromJsonAsync<JsonElement>("/api/silences?state=active&matcher=service%3D%22db%22");
        Assert.Equal(now.AddHours(3), Assert.Single(active.EnumerateArray()).GetProperty("ends_at").GetDateTimeOffset());
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonElement>("/api/silences?state=expired")).EnumerateArray());
    }
}

public sealed class SilencesOnSqlite : SilenceTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class SilencesOnPostgres(PostgresServer postgres) : SilenceTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
