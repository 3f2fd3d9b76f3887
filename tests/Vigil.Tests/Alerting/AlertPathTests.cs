using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;
using Vigil.Tests.Support;

namespace Vigil.Tests.Alerting;

/// <summary>
/// The alert path on one process (SQLite): an alert that starts a group with no group_wait is
/// stored, routed and written to the outbox in one commit, before its put returns, and handed to
/// the sender without waiting for a dispatcher pass; concurrent puts share that commit; what the
/// dispatcher keeps in memory between passes survives a restart.
/// </summary>
public sealed class AlertPathTests : IAsyncLifetime
{
    private TestServer server = null!;
    private NotificationReceiver receiver = null!;

    public async Task InitializeAsync()
    {
        receiver = await NotificationReceiver.StartAsync();
        server = await TestServer.StartAsync(configYaml: $$"""
            channels: [{name: oncall, type: webhook, url: "{{receiver.Url}}"}]
            routing:
              resolve_timeout: 1h
              route: {receiver: oncall, group_by: [alertname], group_wait: 0s, group_interval: 5m, repeat_interval: 4h}
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private static IncomingAlert Firing(string name, DateTimeOffset? endsAt = null) =>
        new(Labels.Of("alertname", name, "service", "api"), Labels.Of("summary", name), null, endsAt, "", "rule");

    private Task PutAsync(params IncomingAlert[] alerts) =>
        server.Services.GetRequiredService<IAlertIngest>().PutAsync(alerts, CancellationToken.None);

    private Task<List<OutboxMessage>> OutboxAsync() =>
        server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).ToListAsync());

    private async Task UntilAcceptedAsync(int keys)
    {
        var bound = Patience.Of(TimeSpan.FromSeconds(10));
        var started = TimeProvider.System.GetTimestamp();
        while (receiver.AcceptedKeys.Count < keys)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < bound, $"{receiver.AcceptedKeys.Count} of {keys} notifications arrived within {bound}");
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
    }

    [Fact]
    public async Task An_alert_that_starts_a_group_with_no_wait_is_in_the_outbox_when_its_put_returns_and_reaches_the_webhook_without_a_pass()
    {
        await PutAsync(Firing("HighErrorRate"));

        // No dispatcher pass was asked for and the clock has not moved: the put's own commit holds the notification.
        var message = Assert.Single(await OutboxAsync());
        Assert.Equal("oncall", message.Channel);
        Assert.Contains("HighErrorRate", message.Payload, StringComparison.Ordinal);
        var history = await server.QueryAsync(db => db.Set<AlertEvent>().AsNoTracking().OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());
        Assert.Equal(["received", "notified"], history);

        await UntilAcceptedAsync(1);
        Assert.Equal(1, receiver.AcceptedKeys[message.IdempotencyKey]);
    }

    [Fact]
    public async Task Alerts_put_at_once_by_many_senders_are_each_stored_and_notified_exactly_once()
    {
        var names = Enumerable.Range(0, 24).Select(i => $"Alert{i:00}").ToList();

        await Task.WhenAll(names.Select(name => Task.Run(() => PutAsync(Firing(name)))));

        Assert.Equal(names, (await server.QueryAsync(db => db.Set<StoredAlert>().AsNoTracking().ToListAsync())).Select(a => a.Labels.Get("alertname")!).Order(StringComparer.Ordinal));
        var outbox = await OutboxAsync();
        Assert.Equal(names.Count, outbox.Count);
        Assert.Equal(names.Count, outbox.Select(m => m.GroupKey).Distinct().Count());
        await UntilAcceptedAsync(names.Count);
        Assert.All(receiver.Keys.Values, count => Assert.Equal(1, count));

        // Sent again as Prometheus resends every evaluation: nothing new to tell.
        await Task.WhenAll(names.Select(name => Task.Run(() => PutAsync(Firing(name)))));
        Assert.Equal(names.Count, (await OutboxAsync()).Count);
    }

    [Fact]
    public async Task Alerts_committed_while_the_webhook_is_still_sending_the_last_one_each_go_out_once_after_it()
    {
        receiver.Behaviour = NotificationReceiver.Mode.Hang;
        await PutAsync(Firing("First"));
        var bound = Patience.Of(TimeSpan.FromSeconds(10));
        var started = TimeProvider.System.GetTimestamp();
        while (receiver.Requests.Count == 0)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < bound, "the first notification was not sent");
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        // Each its own commit, handed to the channel while its drain waits on the first.
        await PutAsync(Firing("Second"));
        await PutAsync(Firing("Third"));
        receiver.Behaviour = NotificationReceiver.Mode.Answer;
        receiver.Release();

        await UntilAcceptedAsync(2);
        while (receiver.Keys.Count < 3)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < bound, $"{receiver.Keys.Count} of 3 notifications were sent");
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
        Assert.All(receiver.Keys.Values, count => Assert.Equal(1, count));
        // After the first; the two others, of different groups, may go out in one wave, side by side.
        var names = receiver.Requests.Select(r => NotificationGroupName(r.Text)).ToList();
        Assert.Equal("First", names[0]);
        Assert.Equal(["Second", "Third"], names.Skip(1).Order(StringComparer.Ordinal));
        // All three recorded as delivered (the first answered once released).
        await server.AdvanceUntilAsync(async () => (await OutboxAsync()).All(m => m.Status == OutboxStatus.Delivered), "every message is recorded delivered", TimeSpan.Zero);
    }

    private static string NotificationGroupName(string body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("groupLabels").GetProperty("alertname").GetString()!;

    [Fact]
    public async Task After_a_restart_the_dispatcher_knows_what_each_receiver_was_told()
    {
        await PutAsync(Firing("DiskFull"));
        await UntilAcceptedAsync(1);

        server = await server.RestartAsync(TimeSpan.FromMinutes(1));
        await PutAsync(Firing("DiskFull"));
        Assert.Single(await OutboxAsync());

        // Its resolution is news to the receiver once the group's interval has passed.
        await PutAsync(Firing("DiskFull", server.Clock.GetUtcNow()));
        await server.MoveClockAsync(server.Clock.GetUtcNow().AddMinutes(5));
        await server.Services.GetRequiredService<DispatchAlerts>().RunOnceAsync(CancellationToken.None);
        var outbox = await OutboxAsync();
        Assert.Equal(2, outbox.Count);
        Assert.Equal(Vigil.Features.Notifications.AlertStatus.Resolved, NotificationRequest.FromJson(outbox[1].Payload).ToGroup().Status);
    }
}
