using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;
using Vigil.Hosting;
using Vigil.Tests.Support;

namespace Vigil.Tests.Hosting;

/// <summary>
/// History is kept for its retention and then deleted, so the database stops growing (the soak in
/// bench/soak found alert history, rule state history and finished notifications growing without
/// end): lines past
/// <c>routing.history_retention</c> and notifications done with past
/// <c>notifications.history_retention</c> go with their attempts; a pending notification stays however old.
/// </summary>
public abstract class PruneHistoryTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), """
        routing: {history_retention: 2d}
        notifications: {history_retention: 3d}
        """);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task History_past_its_retention_is_deleted_and_a_pending_notification_stays()
    {
        var now = server.Clock.GetUtcNow();
        OutboxMessage Message(string key, OutboxStatus status, TimeSpan age) => new()
        {
            Channel = "hook",
            IdempotencyKey = key,
            GroupKey = "{}:{}",
            Payload = "{}",
            CreatedAt = now - age,
            Status = status,
        };
        await server.QueryAsync(async db =>
        {
            db.AddRange(
                new AlertEvent { Fingerprint = "old", At = now.AddDays(-2).AddMinutes(-1), Kind = "received", Status = "firing" },
                new AlertEvent { Fingerprint = "recent", At = now.AddDays(-2).AddMinutes(1), Kind = "received", Status = "firing" },
                new AlertStateChange { GroupName = "g", RuleName = "r", Fingerprint = "old", LabelsJson = "{}", State = "firing", At = now.AddDays(-3) },
                new AlertStateChange { GroupName = "g", RuleName = "r", Fingerprint = "recent", LabelsJson = "{}", State = "firing", At = now.AddDays(-1) });
            var old = Message("old", OutboxStatus.Delivered, TimeSpan.FromDays(4));
            var oldFailed = Message("old-failed", OutboxStatus.Failed, TimeSpan.FromDays(4));
            db.AddRange(old, oldFailed, Message("old-pending", OutboxStatus.Pending, TimeSpan.FromDays(4)), Message("recent", OutboxStatus.Delivered, TimeSpan.FromDays(2)));
            await db.SaveChangesAsync();
            db.Add(new DeliveryAttempt { MessageId = old.Id, Channel = "hook", At = old.CreatedAt, Succeeded = true });
            return await db.SaveChangesAsync();
        });

        await server.Services.GetRequiredService<PruneHistory>().PassAsync(CancellationToken.None);

        Assert.Equal(["recent"], await server.QueryAsync(db => db.Set<AlertEvent>().Select(e => e.Fingerprint).ToListAsync()));
        Assert.Equal(["recent"], await server.QueryAsync(db => db.Set<AlertStateChange>().Select(e => e.Fingerprint).ToListAsync()));
        Assert.Equal(["old-pending", "recent"], await server.QueryAsync(db => db.Set<OutboxMessage>().OrderBy(m => m.IdempotencyKey).Select(m => m.IdempotencyKey).ToListAsync()));
        Assert.Equal(0, await server.QueryAsync(db => db.Set<DeliveryAttempt>().CountAsync()));
    }
}

public sealed class PruneHistoryOnSqlite : PruneHistoryTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class PruneHistoryOnPostgres(PostgresServer postgres) : PruneHistoryTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
