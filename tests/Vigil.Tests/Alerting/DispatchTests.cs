using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>The dispatcher groups alerts, waits and repeats as Alertmanager does, and writes each notification to the outbox once.</summary>
public abstract class DispatchTests : IAsyncLifetime
{
    private static string Fixtures => Path.Combine(RepositoryPaths.Shared, "fixtures", "alertmanager-0.25");

    protected TestServer server = null!;
    private NotificationReceiver receiver = null!;
    private readonly FailingIncidents incidents = new();

    /// <summary>Stands in for the incidents area: throws while <see cref="Failing"/>, as a bug or an outage there would.</summary>
    private sealed class FailingIncidents : IIncidentOpener
    {
        public volatile bool Failing = true;
        public int Calls;

        public Task OpenAsync(Vigil.Data.VigilDbContext db, Vigil.Features.Notifications.NotificationGroup notification, DateTimeOffset now, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Failing ? throw new InvalidOperationException("the incidents area is down") : Task.CompletedTask;
        }
    }

    protected abstract Task<string?> DatabaseAsync();

    // The channels deliver to a receiver that accepts everything: a failing channel would raise
    // its own NotificationChannelFailing alert, which these tests do not count.
    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), $$"""
        channels:
          - name: oncall
            type: webhook
            url: {{receiver.Url}}
          - name: dba
            type: webhook
            url: {{receiver.Url}}
        routing:
          resolve_timeout: 5h
          external_url: http://alertmanager.vigil.example:9093
          time_intervals:
            - name: early-morning
              time_intervals:
                - times: [{start_time: '00:00', end_time: '09:05'}]
          route:
            receiver: oncall
            group_by: [alertname, job]
            group_wait: 2s
            group_interval: 5s
            repeat_interval: 4h
            routes:
              - matchers: ['team="db"']
                receiver: dba
                group_by: [alertname]
                group_wait: 30s
                group_interval: 5m
              - matchers: ['page="yes"']
                receiver: oncall
                open_incident: true
              - matchers: ['team="batch"']
                receiver: oncall
                mute_time_intervals: [early-morning]
        """, services => services.AddScoped<IIncidentOpener>(_ => incidents));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    protected async Task AtAsync(DateTimeOffset at)
    {
        // Once the notifications already due were attempted, so each goes out at the time it was
        // due, not after the jump.
        await server.MoveClockAsync(at);
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
    }

    protected Task PutAsync(params IncomingAlert[] alerts) =>
        server.Services.GetRequiredService<IAlertIngest>().PutAsync(alerts, CancellationToken.None);

    private Task<List<OutboxMessage>> OutboxAsync() =>
        server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).ToListAsync());

    /// <summary>An alert as posted in the fixtures (posted/stepN.json), through the same ingest every source uses.</summary>
    private static IncomingAlert[] Posted(string step)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "posted", $"{step}.json")));
        return [.. doc.RootElement.EnumerateArray().Select(a => new IncomingAlert(
            LabelsOf(a.GetProperty("labels")), LabelsOf(a.GetProperty("annotations")),
            a.GetProperty("startsAt").GetDateTimeOffset(),
            a.TryGetProperty("endsAt", out var ends) ? ends.GetDateTimeOffset() : null,
            a.GetProperty("generatorURL").GetString()!, "alertmanager"))];
    }

    private static Labels LabelsOf(JsonElement map) => Labels.From(map.EnumerateObject().Select(p => new Label(p.Name, p.Value.GetString()!)));

    protected static IncomingAlert Alert(string name, string job, DateTimeOffset? endsAt = null, params string[] more) =>
        new(Labels.Of([.. new[] { "alertname", name, "job", job }, .. more]), Labels.Empty, null, endsAt, "http://vigil/rules", "rule");

    [Fact]
    public async Task Alertmanagers_recorded_steps_give_the_same_three_webhook_bodies_byte_for_byte()
    {
        // The recording posted step 1 one minute after the alerts started, step 2 eight seconds
        // later (api-1 ended a second before), step 3 eight seconds after that (api-2 ended).
        var t0 = DateTimeOffset.Parse("2026-11-22T20:03:03.5Z", System.Globalization.CultureInfo.InvariantCulture);
        await AtAsync(t0);
        await PutAsync(Posted("step1"));
        // The alerts started more than group_wait ago: the group flushes at once (aggrGroup.insert).
        await AtAsync(t0);
        Assert.Single(await OutboxAsync());
        await AtAsync(t0.AddSeconds(5));
        await AtAsync(t0.AddSeconds(8));
        await PutAsync(Posted("step2"));
        await AtAsync(t0.AddSeconds(8));
        Assert.Single(await OutboxAsync());
        await AtAsync(t0.AddSeconds(10));
        await AtAsync(t0.AddSeconds(15));
        await AtAsync(t0.AddSeconds(16));
        await PutAsync(Posted("step3"));
        await AtAsync(t0.AddSeconds(20));
        await AtAsync(t0.AddSeconds(25));
        await AtAsync(t0.AddSeconds(30));

        var sent = await OutboxAsync();
        Assert.Equal(3, sent.Count);
        string[] steps = ["step1-firing", "step2-one-resolved", "step3-resolved"];
        for (var i = 0; i < 3; i++)
        {
            var expected = await File.ReadAllTextAsync(Path.Combine(Fixtures, "webhook", $"{steps[i]}.body.json"));
            var request = NotificationRequest.FromJson(sent[i].Payload);
            Assert.Equal("oncall", sent[i].Channel);
            Assert.Equal(expected, Encoding.UTF8.GetString(WebhookPayload.Render(request.ToGroup())));
        }
        Assert.Equal(3, sent.Select(m => m.IdempotencyKey).Distinct().Count());

        // And the receiver got exactly those three bodies over HTTP, once each.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (receiver.AcceptedKeys.Count < 3 && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            server.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
        for (var i = 0; i < 3; i++)
        {
            var expected = await File.ReadAllTextAsync(Path.Combine(Fixtures, "webhook", $"{steps[i]}.body.json"));
            var delivered = Assert.Single(receiver.Requests, r => r.Header("Idempotency-Key") == sent[i].IdempotencyKey);
            Assert.Equal(expected, delivered.Text);
        }
        // Both alerts were resolved and notified, so they are gone, and so is their group.
        Assert.Equal(0, await server.QueryAsync(db => db.Set<StoredAlert>().CountAsync()));
        Assert.Equal(0, await server.QueryAsync(db => db.Set<AlertGroup>().CountAsync()));
    }

    [Fact]
    public async Task A_group_waits_group_wait_notifies_changes_at_group_interval_and_repeats_after_repeat_interval()
    {
        var t0 = server.Clock.GetUtcNow();
        await PutAsync(Alert("DiskFull", "db", null, "team", "db"));
        await AtAsync(t0.AddSeconds(29));
        Assert.Empty(await OutboxAsync());
        await AtAsync(t0.AddSeconds(30));
        var first = Assert.Single(await OutboxAsync());
        Assert.Equal("dba", first.Channel);
        Assert.Equal("{}/{team=\"db\"}:{alertname=\"DiskFull\"}", first.GroupKey);

        // A second alert of the group waits for the next group_interval tick (30s + 5m).
        await AtAsync(t0.AddMinutes(1));
        await PutAsync(Alert("DiskFull", "replica", null, "team", "db"));
        await AtAsync(t0.AddMinutes(5));
        Assert.Single(await OutboxAsync());
        await AtAsync(t0.AddMinutes(5).AddSeconds(30));
        var second = (await OutboxAsync())[1];
        Assert.Equal(["db", "replica"], NotificationRequest.FromJson(second.Payload).Alerts.Select(a => a.Labels["job"]));

        // Nothing changes: silence until repeat_interval (4h, inherited) has passed since the last notification.
        for (var tick = t0.AddMinutes(10).AddSeconds(30); tick <= t0.AddHours(4).AddMinutes(5).AddSeconds(30); tick = tick.AddMinutes(5))
        {
            await AtAsync(tick);
        }
        Assert.Equal(2, (await OutboxAsync()).Count);
        await AtAsync(t0.AddHours(4).AddMinutes(10).AddSeconds(30));
        Assert.Equal(3, (await OutboxAsync()).Count);
    }

    [Fact]
    public async Task A_restarted_dispatcher_keeps_the_timers_and_the_log_so_it_neither_loses_nor_repeats_a_notification()
    {
        var t0 = server.Clock.GetUtcNow();
        await PutAsync(Alert("DiskFull", "db", null, "team", "db"));
        await AtAsync(t0.AddSeconds(10));

        // A new dispatcher (as after a restart) has only the database to go on.
        var restarted = ActivatorUtilities.CreateInstance<DispatchAlerts>(server.Services);
        server.Clock.SetUtcNow(t0.AddSeconds(30));
        await restarted.RunOnceAsync(CancellationToken.None);
        await restarted.RunOnceAsync(CancellationToken.None);
        Assert.Single(await OutboxAsync());
        var again = ActivatorUtilities.CreateInstance<DispatchAlerts>(server.Services);
        server.Clock.SetUtcNow(t0.AddMinutes(5).AddSeconds(30));
        await again.RunOnceAsync(CancellationToken.None);
        Assert.Single(await OutboxAsync());
    }

    [Fact]
    public async Task Groups_due_together_are_flushed_together_and_one_that_fails_does_not_hold_back_the_others()
    {
        var t0 = server.Clock.GetUtcNow();
        await PutAsync(Alert("ApiDown", "api", null, "page", "yes"), Alert("CacheSlow", "cache"), Alert("QueueDeep", "worker"));

        // While the groups wait, the API already says which one will open an incident.
        await AtAsync(t0);
        var waiting = await server.GetJsonAsync<List<JsonElement>>("/api/alerts/groups");
        Assert.Equal(["ApiDown"], waiting.Where(g => g.GetProperty("open_incident").GetBoolean()).Select(g => g.GetProperty("group_labels").GetProperty("alertname").GetString()));

        // All three groups are due at group_wait; the paged one cannot open its incident.
        await AtAsync(t0.AddSeconds(2));
        Assert.Equal(["CacheSlow", "QueueDeep"], (await OutboxAsync()).Select(m => NotificationRequest.FromJson(m.Payload).Alerts.Single().Labels["alertname"]).Order());
        var calls = incidents.Calls;
        Assert.True(calls >= 2, $"the failing group was tried together with the others, then on its own ({calls} calls)");

        // It is tried again at every pass, and sent once the incidents area is back; the others are not sent again.
        await AtAsync(t0.AddSeconds(3));
        Assert.Equal(2, (await OutboxAsync()).Count);
        Assert.True(incidents.Calls > calls);
        incidents.Failing = false;
        await AtAsync(t0.AddSeconds(4));
        var sent = await OutboxAsync();
        Assert.Equal(3, sent.Count);
        Assert.Equal("ApiDown", NotificationRequest.FromJson(sent[2].Payload).Alerts.Single().Labels["alertname"]);
        await AtAsync(t0.AddSeconds(9));
        Assert.Equal(3, (await OutboxAsync()).Count);
    }

    [Fact]
    public async Task A_route_in_its_mute_time_interval_sends_nothing_until_the_first_flush_after_it()
    {
        // The clock starts at 09:00 UTC; the route is muted until 09:05.
        var t0 = server.Clock.GetUtcNow();
        await PutAsync(Alert("JobLate", "etl", null, "team", "batch"));
        for (var at = t0.AddSeconds(2); at < t0.AddMinutes(5); at = at.AddSeconds(5))
        {
            await AtAsync(at);
        }
        Assert.Empty(await OutboxAsync());
        Assert.Empty(await server.QueryAsync(db => db.Set<NotificationLogEntry>().ToListAsync()));

        // The group flushed (muted) every group_interval (5s) from 09:00:02; the first tick after 09:05 is 09:05:02.
        await AtAsync(t0.AddMinutes(5));
        Assert.Empty(await OutboxAsync());
        await AtAsync(t0.AddMinutes(5).AddSeconds(2));
        var sent = Assert.Single(await OutboxAsync());
        Assert.Equal("JobLate", NotificationRequest.FromJson(sent.Payload).Alerts.Single().Labels["alertname"]);
    }

    [Fact]
    public async Task An_alert_that_fires_again_after_its_groups_log_entry_expired_is_notified_again()
    {
        // Fires, is notified, resolves and is notified resolved; the group ends with its alert.
        var t0 = server.Clock.GetUtcNow();
        await PutAsync(Alert("DiskFull", "db", null, "team", "db"));
        await AtAsync(t0.AddSeconds(30));
        await AtAsync(t0.AddMinutes(1));
        await PutAsync(Alert("DiskFull", "db", t0.AddMinutes(1), "team", "db"));
        await AtAsync(t0.AddMinutes(5).AddSeconds(30));
        await AtAsync(t0.AddMinutes(10).AddSeconds(30));
        Assert.Equal(2, (await OutboxAsync()).Count);
        Assert.Equal(0, await server.QueryAsync(db => db.Set<AlertGroup>().CountAsync()));

        // Six days later the log entry has expired (120h), the outbox still holds those two
        // notifications (kept 90 days), and the same alert fires again: the receiver is told.
        var later = t0.AddDays(6);
        await AtAsync(later);
        Assert.Empty(await server.QueryAsync(db => db.Set<NotificationLogEntry>().ToListAsync()));
        await PutAsync(Alert("DiskFull", "db", null, "team", "db"));
        await AtAsync(later.AddSeconds(30));
        var sent = await OutboxAsync();
        Assert.Equal(3, sent.Count);
        Assert.Equal(3, sent.Select(m => m.IdempotencyKey).Distinct().Count());
        Assert.Equal(Vigil.Features.Notifications.AlertStatus.Firing, NotificationRequest.FromJson(sent[2].Payload).Alerts.Single().Status);
    }

    [Fact]
    public async Task Alerts_that_fire_and_resolve_between_notifications_are_not_sent()
    {
        var t0 = server.Clock.GetUtcNow();
        await PutAsync(Alert("DiskFull", "db", null, "team", "db"));
        await AtAsync(t0.AddSeconds(30));
        await AtAsync(t0.AddMinutes(1));
        await PutAsync(Alert("DiskFull", "replica", null, "team", "db"));
        await AtAsync(t0.AddMinutes(2));
        await PutAsync(Alert("DiskFull", "replica", t0.AddMinutes(2), "team", "db"));
        await AtAsync(t0.AddMinutes(5).AddSeconds(30));
        // Firing {db} as before, replica resolved: Alertmanager sends it as a new resolved alert.
        var sent = await OutboxAsync();
        Assert.Equal(2, sent.Count);
        var alerts = NotificationRequest.FromJson(sent[1].Payload).Alerts;
        Assert.Equal([("db", "Firing"), ("replica", "Resolved")], alerts.Select(a => (a.Labels["job"], a.Status.ToString())));
    }
}

public sealed class DispatchOnSqlite : DispatchTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DispatchOnPostgres(PostgresServer postgres) : DispatchTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();

    [Fact]
    public async Task A_reader_finds_a_removed_alert_either_stored_or_resolved_in_its_history_never_neither()
    {
        var t0 = server.Clock.GetUtcNow();
        await PutAsync(Alert("Gone", "api"));
        await AtAsync(t0.AddSeconds(2));
        await PutAsync(Alert("Gone", "api", t0.AddSeconds(3)));
        // The resolution's history row waits for a lock this test holds: the pass that removes the
        // alert stops there, after its delete, while another connection reads.
        await server.QueryAsync(db => db.Database.ExecuteSqlRawAsync("""
            CREATE FUNCTION hold_resolution() RETURNS trigger AS $$
            BEGIN
              IF NEW."Kind" = 'resolved' THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER hold BEFORE INSERT ON alert_history FOR EACH ROW EXECUTE FUNCTION hold_resolution();
            """));
        await using var scope = server.Services.CreateAsyncScope();
        var holder = scope.ServiceProvider.GetRequiredService<Vigil.Data.VigilDbContext>();
        await holder.Database.OpenConnectionAsync();
        await holder.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(4242)");
        Task pass;
        try
        {
            // group_interval (5s) after the first flush: the resolution is sent and the alert removed.
            pass = AtAsync(t0.AddSeconds(7));
            var waited = TimeProvider.System.GetTimestamp();
            while (await server.QueryAsync(db => db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND datname = current_database()").SingleAsync()) == 0)
            {
                Assert.False(pass.IsCompleted, "the pass ended without writing the resolution");
                Assert.True(TimeProvider.System.GetElapsedTime(waited) < Patience.Of(TimeSpan.FromSeconds(30)), "the pass never reached the resolution's history row");
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
            }
            var stored = await server.QueryAsync(db => db.Set<StoredAlert>().CountAsync());
            var resolved = await server.QueryAsync(db => db.Set<AlertEvent>().CountAsync(e => e.Kind == "resolved"));
            Assert.Equal((1, 0), (stored, resolved));
        }
        finally
        {
            await holder.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(4242)");
        }
        await pass;
        Assert.Equal(0, await server.QueryAsync(db => db.Set<StoredAlert>().CountAsync()));
        Assert.Equal(1, await server.QueryAsync(db => db.Set<AlertEvent>().CountAsync(e => e.Kind == "resolved")));
    }
}
