using Microsoft.EntityFrameworkCore;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Outbox;
using Vigil.Tests.Support;

namespace Vigil.Tests.Notifications;

/// <summary>
/// A notification put in the outbox comes back out of the database as the same group, so a
/// channel rendering it after a restart sends what it would have sent before.
/// </summary>
public abstract class OutboxTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_queued_notification_renders_the_same_payload_after_a_round_trip_through_the_database()
    {
        var group = AlertmanagerPayloadTests.GroupOf("step2-one-resolved");
        var now = server.Clock.GetUtcNow();
        await server.QueryAsync(async db =>
        {
            NotificationOutbox.Enqueue(db, NotificationRequest.For("oncall-webhook", group, "{}"), "n-1", now);
            return await db.SaveChangesAsync();
        });

        var stored = await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.IdempotencyKey == "n-1"));

        // The commit wakes the sender, which may already have tried this channel (there is no such channel here): what was queued is what is asserted.
        Assert.Equal(("oncall-webhook", group.GroupKey, now), (stored.Channel, stored.GroupKey, stored.CreatedAt));
        Assert.Equal(WebhookPayload.Render(group), WebhookPayload.Render(NotificationRequest.FromJson(stored.Payload).ToGroup()));
    }

    [Fact]
    public async Task The_same_idempotency_key_cannot_be_queued_twice()
    {
        var request = NotificationRequest.For("oncall-webhook", AlertmanagerPayloadTests.GroupOf("step1-firing"), "{}");
        var now = server.Clock.GetUtcNow();
        await server.QueryAsync(async db =>
        {
            NotificationOutbox.Enqueue(db, request, "n-2", now);
            return await db.SaveChangesAsync();
        });

        await Assert.ThrowsAsync<DbUpdateException>(() => server.QueryAsync(async db =>
        {
            NotificationOutbox.Enqueue(db, request, "n-2", now);
            return await db.SaveChangesAsync();
        }));
        Assert.Equal(1, await server.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.IdempotencyKey == "n-2")));
    }
}

public sealed class OutboxOnSqlite : OutboxTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class OutboxOnPostgres(PostgresServer postgres) : OutboxTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
