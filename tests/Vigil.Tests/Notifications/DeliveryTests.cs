using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;
using Vigil.Tests.Support;
using static Vigil.Tests.Notifications.DeliveryScenario;

namespace Vigil.Tests.Notifications;

/// <summary>The outbox sender against real receivers on loopback, on SQLite and PostgreSQL, with the fake clock.</summary>
public abstract class DeliveryTests : IAsyncLifetime
{
    private NotificationReceiver receiver = null!;
    private NotificationReceiver other = null!;
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    private string Config => $"""
        notifications:
          initial_backoff: 10s
          max_backoff: 1m
          retry_deadline: 10m
          failing_after: 2
        channels:
          - name: ops-webhook
            type: webhook
            url: {receiver.Url}/hook
            bearer_token: s3cret
            fallback: backup
          - name: backup
            type: webhook
            url: {other.Url}/backup
          - name: slack
            type: slack
            url: {receiver.Url}/slack/services/T0000/B0000/XXXX
            channel: '#alerts'
          - name: pagerduty
            type: pagerduty
            routing_key: 0123456789abcdef0123456789abcdef
            url: {receiver.Url}/pagerduty/v2/enqueue
          - name: slow
            type: webhook
            url: {receiver.Url}/slow
            timeout: 5s
          - name: quiet
            type: webhook
            url: {other.Url}/quiet
            send_resolved: false
          - name: limited
            type: webhook
            url: {other.Url}/limited
            rate_limit: 2
        """;

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        other = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(await DatabaseAsync(), Config);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
        await other.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_notification_is_retried_after_its_backoff_with_the_same_idempotency_key_until_delivered()
    {
        receiver.Status = 500;
        var queued = await TestAsync(server.Http, "ops-webhook");
        await UntilAttemptsAsync(server, queued.Id, 1);

        var failed = await MessageAsync(server, queued.Id);
        Assert.Equal(OutboxStatus.Pending, failed.Status);
        // Backoff 10s with equal jitter: between 5 and 10 seconds after the attempt.
        Assert.InRange(failed.NextAttemptAt!.Value - server.Clock.GetUtcNow(), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

        receiver.Status = 200;
        Advance(server, TimeSpan.FromSeconds(11));
        await UntilAsync(async () => (await MessageAsync(server, queued.Id)).Status == OutboxStatus.Delivered);

        var hooks = receiver.Requests.Where(r => r.Path == "/hook").ToList();
        Assert.Equal(2, hooks.Count);
        Assert.All(hooks, r => Assert.Equal(queued.IdempotencyKey, r.Header("Idempotency-Key")));
        Assert.All(hooks, r => Assert.Equal("Bearer s3cret", r.Header("Authorization")));
        using var body = JsonDocument.Parse(hooks[1].Body);
        Assert.Equal("4", body.RootElement.GetProperty("version").GetString());
        Assert.Equal("TestAlert", body.RootElement.GetProperty("commonLabels").GetProperty("alertname").GetString());

        var attempts = await AttemptsAsync(server, queued.Id);
        Assert.Equal([500, 200], attempts.Select(a => a.StatusCode));
        Assert.Equal([false, true], attempts.Select(a => a.Succeeded));
        Assert.Equal("HTTP 500 Internal Server Error", attempts[0].Error);
        Assert.Equal("{}", attempts[1].Response);
    }

    [Fact]
    public async Task Slack_and_pagerduty_receive_what_alertmanager_sends_but_for_vigils_title_and_link()
    {
        var group = AlertmanagerPayloadTests.GroupOf("step1-firing");
        var slack = await EnqueueAsync(server, "slack", group, "k-slack");
        var pagerduty = await EnqueueAsync(server, "pagerduty", group, "k-pd");
        await UntilAsync(async () => (await MessageAsync(server, slack)).Status == OutboxStatus.Delivered && (await MessageAsync(server, pagerduty)).Status == OutboxStatus.Delivered);

        // Vigil's title, console link and Slack text (each alert's annotations) differ from Alertmanager's on purpose (issue 15); every other byte is Alertmanager's.
        Assert.Equal(AlertmanagerPayloadTests.AlertmanagersWithVigilsTitleAndLink("slack/step1-firing.body.json", group, Features.Notifications.Channels.ChannelText.Details(group)), receiver.Requests.Single(r => r.Path.StartsWith("/slack/", StringComparison.Ordinal)).Text);
        Assert.Equal(AlertmanagerPayloadTests.AlertmanagersWithVigilsTitleAndLink("pagerduty/step1-firing.body.json", group), receiver.Requests.Single(r => r.Path == "/pagerduty/v2/enqueue").Text);
        Assert.Equal("application/json", receiver.Requests[0].Header("Content-Type"));
    }

    [Fact]
    public async Task A_hanging_channel_does_not_hold_up_other_channels_and_times_out_by_its_own_timeout()
    {
        receiver.Behaviour = NotificationReceiver.Mode.Hang;
        var slow = await TestAsync(server.Http, "slow");
        await UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Path == "/slow")));

        var quick = await TestAsync(server.Http, "backup");
        await UntilAsync(async () => (await MessageAsync(server, quick.Id)).Status == OutboxStatus.Delivered);
        Assert.Empty(await AttemptsAsync(server, slow.Id));

        // The timeout bounds the wait on the network, so it runs on real time: the test clock stands still.
        await UntilAttemptsAsync(server, slow.Id, 1);
        var attempt = (await AttemptsAsync(server, slow.Id)).Single();
        Assert.False(attempt.Succeeded);
        Assert.Null(attempt.StatusCode);
        Assert.Equal("timed out after 5s", attempt.Error);
        // About the timeout (the runtime's timers may fire a tick early), measured on real time too.
        Assert.InRange(attempt.DurationMs, 4900, 5000 + (int)Patience.Of(TimeSpan.FromSeconds(5)).TotalMilliseconds);
    }

    [Fact]
    public async Task Groups_sent_to_one_channel_go_out_together_while_each_group_keeps_its_order()
    {
        // Three groups, and a second notification of the first: the receiver holds every request.
        receiver.Behaviour = NotificationReceiver.Mode.Hang;
        NotificationGroup Group(string alertname) => new("slow", "{}", Labels.Of("alertname", alertname),
            [new NotifiedAlert(AlertStatus.Firing, Labels.Of("alertname", alertname), Labels.Empty, server.Clock.GetUtcNow(), null, "")], "http://vigil");
        var first = await server.QueryAsync(async db =>
        {
            var message = NotificationOutbox.Enqueue(db, NotificationRequest.For("slow", Group("ApiDown"), "{}"), "k-api-1", server.Clock.GetUtcNow());
            foreach (var (alertname, key) in new[] { ("ApiDown", "k-api-2"), ("CacheSlow", "k-cache"), ("QueueDeep", "k-queue") })
            {
                NotificationOutbox.Enqueue(db, NotificationRequest.For("slow", Group(alertname), "{}"), key, server.Clock.GetUtcNow());
            }
            await db.SaveChangesAsync();
            return message.Id;
        });
        server.Services.GetRequiredService<Vigil.Features.Notifications.Delivery.OutboxSender>().Wake();

        // One slow answer does not hold up the other groups: all three are in flight at once ...
        await UntilAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/slow") == 3));
        Assert.Equal(["k-api-1", "k-cache", "k-queue"], receiver.Requests.Select(r => r.Header("Idempotency-Key")).Order());
        Assert.Empty(await AttemptsAsync(server, first));

        // ... and the second notification of ApiDown only follows its first.
        receiver.Behaviour = NotificationReceiver.Mode.Answer;
        receiver.Release();
        await UntilAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Path == "/slow") == 4));
        Assert.Equal("k-api-2", receiver.Requests[^1].Header("Idempotency-Key"));
        await UntilAsync(async () => (await MessageAsync(server, first)).Status == OutboxStatus.Delivered);
    }

    [Fact]
    public async Task A_dropped_connection_is_a_failed_attempt_that_is_retried()
    {
        receiver.Behaviour = NotificationReceiver.Mode.Close;
        var queued = await TestAsync(server.Http, "slow");
        await UntilAttemptsAsync(server, queued.Id, 1);
        var attempt = (await AttemptsAsync(server, queued.Id)).Single();
        Assert.Null(attempt.StatusCode);
        Assert.NotNull(attempt.Error);
        Assert.Equal(OutboxStatus.Pending, (await MessageAsync(server, queued.Id)).Status);
    }

    [Fact]
    public async Task A_notification_that_fails_past_its_deadline_is_given_up()
    {
        receiver.Status = 503;
        var queued = await TestAsync(server.Http, "slow");
        for (var i = 1; i <= 12 && (await MessageAsync(server, queued.Id)).Status == OutboxStatus.Pending; i++)
        {
            await UntilAttemptsAsync(server, queued.Id, i);
            Advance(server, TimeSpan.FromMinutes(1));
        }
        await UntilAsync(async () => (await MessageAsync(server, queued.Id)).Status == OutboxStatus.Failed);
        var message = await MessageAsync(server, queued.Id);
        Assert.Null(message.NextAttemptAt);
        Assert.Equal("HTTP 503 Service Unavailable", message.LastError);
        // Every retry was within the deadline (10m after it was queued), the last one at it at the latest.
        Assert.All(await AttemptsAsync(server, queued.Id), a => Assert.True(a.At <= message.CreatedAt + TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public async Task A_channel_that_keeps_failing_raises_its_alert_and_sends_through_its_fallback()
    {
        receiver.Status = 500;
        var queued = await TestAsync(server.Http, "ops-webhook");
        await UntilAttemptsAsync(server, queued.Id, 1);
        Assert.Empty(other.Requests);

        Advance(server, TimeSpan.FromSeconds(10));
        await UntilAttemptsAsync(server, queued.Id, 2);
        await UntilAsync(() => Task.FromResult(other.Requests.Any(r => r.Path == "/backup")));

        var copy = other.Requests.Single(r => r.Path == "/backup");
        Assert.Equal(queued.IdempotencyKey + "/fallback:backup", copy.Header("Idempotency-Key"));
        var alerts = await server.QueryAsync(db => db.Set<StoredAlert>().AsNoTracking().ToListAsync());
        var failing = Assert.Single(alerts, a => a.LabelsJson.Contains("NotificationChannelFailing", StringComparison.Ordinal));
        Assert.Contains("\"channel\":\"ops-webhook\"", failing.LabelsJson.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var channels = await server.Http.GetFromJsonAsync<JsonElement>("/api/channels");
        var webhook = channels.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ops-webhook");
        Assert.True(webhook.GetProperty("failing").GetBoolean());
        Assert.Equal("HTTP 500 Internal Server Error", webhook.GetProperty("last_error").GetString());
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("last_success_at").ValueKind);
    }

    [Fact]
    public async Task A_rate_limited_channel_sends_the_excess_after_the_minute_instead_of_dropping_it()
    {
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await TestAsync(server.Http, "limited")).Id);
        }
        await UntilAsync(() => Task.FromResult(other.Requests.Count(r => r.Path == "/limited") == 2));
        Assert.Equal(OutboxStatus.Pending, (await MessageAsync(server, ids[2])).Status);

        Advance(server, TimeSpan.FromMinutes(1));
        await UntilAsync(async () => (await MessageAsync(server, ids[2])).Status == OutboxStatus.Delivered,
            async () => $"now {server.Clock.GetUtcNow():O}, message {JsonSerializer.Serialize(await MessageAsync(server, ids[2]))}");
        Assert.Equal(3, other.Requests.Count(r => r.Path == "/limited"));
    }

    [Fact]
    public async Task A_resolved_notification_is_not_sent_to_a_channel_with_send_resolved_false()
    {
        var id = await EnqueueAsync(server, "quiet", AlertmanagerPayloadTests.GroupOf("step3-resolved"), "k-resolved");
        await UntilAsync(async () => (await MessageAsync(server, id)).Status == OutboxStatus.Skipped);
        Assert.Empty(other.Requests);
    }

    [Fact]
    public async Task Notifications_list_shows_messages_with_their_attempts_filtered_by_channel_and_status()
    {
        receiver.Status = 500;
        var queued = await TestAsync(server.Http, "slow");
        await UntilAttemptsAsync(server, queued.Id, 1);

        var list = await server.Http.GetFromJsonAsync<JsonElement>("/api/notifications?channel=slow&status=pending");
        var message = Assert.Single(list.EnumerateArray());
        Assert.Equal(queued.IdempotencyKey, message.GetProperty("idempotency_key").GetString());
        Assert.Equal("[FIRING:1] TestAlert", message.GetProperty("title").GetString());
        Assert.Equal(500, message.GetProperty("attempt_log")[0].GetProperty("status_code").GetInt32());
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonElement>("/api/notifications?status=delivered")).EnumerateArray());

        var bad = await server.Http.GetAsync("/api/notifications?status=lost");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("status", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class DeliveryOnSqlite : DeliveryTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DeliveryOnPostgres(PostgresServer postgres) : DeliveryTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
