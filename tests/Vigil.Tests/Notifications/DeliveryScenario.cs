using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;
using Vigil.Tests.Support;

namespace Vigil.Tests.Notifications;

/// <summary>What the delivery tests share: queue through the API or the outbox, move the fake clock, wait for the sender.</summary>
internal static class DeliveryScenario
{
    public sealed record Queued(long Id, string Channel, string IdempotencyKey, string Status);

    public static async Task<Queued> TestAsync(HttpClient client, string channel)
    {
        var response = await client.PostAsync($"/api/channels/{channel}/test", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Queued>(TestServer.Json))!;
    }

    public static async Task<long> EnqueueAsync(TestServer server, string channel, NotificationGroup group, string key)
    {
        var id = await server.QueryAsync(async db =>
        {
            var message = NotificationOutbox.Enqueue(db, NotificationRequest.For(channel, group, "{}"), key, server.Clock.GetUtcNow());
            await db.SaveChangesAsync();
            return message.Id;
        });
        server.Services.GetRequiredService<OutboxSender>().Wake();
        return id;
    }

    /// <summary>Moves the clock and lets the sender look at the outbox at once.</summary>
    public static void Advance(TestServer server, TimeSpan by)
    {
        server.Clock.Advance(by);
        server.Services.GetRequiredService<OutboxSender>().Wake();
    }

    public static Task<OutboxMessage> MessageAsync(TestServer server, long id) =>
        server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == id));

    public static Task<List<DeliveryAttempt>> AttemptsAsync(TestServer server, long id) =>
        server.QueryAsync(db => db.Set<DeliveryAttempt>().AsNoTracking().Where(a => a.MessageId == id).OrderBy(a => a.Id).ToListAsync());

    /// <summary>Waits (real time, bounded) until the sender has done what the condition looks for; fails with what it saw.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<Task<string>>? describe = null, int seconds = 15)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > Patience.Of(TimeSpan.FromSeconds(seconds)))
            {
                Assert.Fail("condition not met in time" + (describe is null ? "" : ": " + await describe()));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }

    public static Task UntilAttemptsAsync(TestServer server, long id, int count) =>
        UntilAsync(async () => (await AttemptsAsync(server, id)).Count >= count,
            async () => string.Join("; ", (await AttemptsAsync(server, id)).Select(a => $"{a.At:O} {a.StatusCode} {a.Error}")));
}
