using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// <see cref="DirectRows"/> writes what SaveChanges would have written: read back through EF, every
/// value is the one written (times with their instant, enums as the model stores them, nulls),
/// statements gathered in one transaction commit or roll back together, and nothing is tracked.
/// </summary>
public abstract class DirectRowsTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<OutboxMessage> EnqueuedAsync(string key)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var message = new OutboxMessage
        {
            Channel = "ops",
            IdempotencyKey = key,
            GroupKey = "group",
            Payload = "{}",
            CreatedAt = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero),
            NextAttemptAt = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero),
            Status = OutboxStatus.Pending,
        };
        db.Add(message);
        await db.SaveChangesAsync();
        return message;
    }

    [Fact]
    public async Task Rows_read_back_through_ef_as_they_were_written()
    {
        var message = await EnqueuedAsync("k1");
        var at = new DateTimeOffset(2026, 11, 2, 11, 30, 15, 123, TimeSpan.Zero);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            message.Status = OutboxStatus.Delivered;
            message.Attempts = 3;
            message.DeliveredAt = at;
            message.NextAttemptAt = null;
            message.LastError = "it's \"quoted\"; and has; semicolons";
            var rows = new DirectRows(db)
                .Insert(new DeliveryAttempt { MessageId = message.Id, Channel = "ops", At = at, DurationMs = 42, Succeeded = true, StatusCode = 202, Response = "ok", Error = null })
                .Insert(new DeliveryAttempt { MessageId = message.Id, Channel = "ops", At = at.AddSeconds(1), DurationMs = 7, Succeeded = false, StatusCode = null, Response = null, Error = "refused" })
                .Update(message, nameof(OutboxMessage.Status), nameof(OutboxMessage.Attempts), nameof(OutboxMessage.DeliveredAt), nameof(OutboxMessage.NextAttemptAt), nameof(OutboxMessage.LastError));
            await using var transaction = await db.Database.BeginTransactionAsync();
            await rows.ExecuteAsync(CancellationToken.None);
            await transaction.CommitAsync();
            Assert.Empty(db.ChangeTracker.Entries());
        }

        var stored = await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == message.Id));
        Assert.Equal(OutboxStatus.Delivered, stored.Status);
        Assert.Equal(3, stored.Attempts);
        Assert.Equal(at, stored.DeliveredAt);
        Assert.Null(stored.NextAttemptAt);
        Assert.Equal("it's \"quoted\"; and has; semicolons", stored.LastError);
        Assert.Equal("k1", stored.IdempotencyKey);
        var attempts = await server.QueryAsync(db => db.Set<DeliveryAttempt>().AsNoTracking().Where(a => a.MessageId == message.Id).OrderBy(a => a.At).ToListAsync());
        Assert.Collection(attempts,
            a => Assert.Equal((at, 42, true, (int?)202, "ok", (string?)null), (a.At, a.DurationMs, a.Succeeded, a.StatusCode, a.Response, a.Error)),
            a => Assert.Equal((at.AddSeconds(1), 7, false, (int?)null, (string?)null, "refused"), (a.At, a.DurationMs, a.Succeeded, a.StatusCode, a.Response, a.Error)));
        Assert.NotEqual(attempts[0].Id, attempts[1].Id);
        // Times compare in the store as instants (SQLite keeps them as sortable ticks).
        Assert.Equal(1, await server.QueryAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.DeliveredAt > at.AddMilliseconds(-1) && m.DeliveredAt < at.AddMilliseconds(1))));
    }

    [Fact]
    public async Task Statements_rolled_back_together_leave_nothing()
    {
        var message = await EnqueuedAsync("k2");
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            message.Status = OutboxStatus.Failed;
            var rows = new DirectRows(db)
                .Insert(new DeliveryAttempt { MessageId = message.Id, Channel = "ops", At = message.CreatedAt, DurationMs = 1, Succeeded = false })
                .Update(message, nameof(OutboxMessage.Status));
            await using var transaction = await db.Database.BeginTransactionAsync();
            await rows.ExecuteAsync(CancellationToken.None);
            await transaction.RollbackAsync();
        }

        Assert.Equal(OutboxStatus.Pending, await server.QueryAsync(db => db.Set<OutboxMessage>().Where(m => m.Id == message.Id).Select(m => m.Status).SingleAsync()));
        Assert.Equal(0, await server.QueryAsync(db => db.Set<DeliveryAttempt>().CountAsync(a => a.MessageId == message.Id)));
    }

    [Fact]
    public async Task A_row_the_store_refuses_is_an_error_and_the_transaction_writes_nothing()
    {
        var message = await EnqueuedAsync("k3");
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        message.Attempts = 9;
        // The second statement breaks the foreign key to the outbox.
        var rows = new DirectRows(db)
            .Update(message, nameof(OutboxMessage.Attempts))
            .Insert(new DeliveryAttempt { MessageId = message.Id + 1000, Channel = "ops", At = message.CreatedAt, DurationMs = 1, Succeeded = false });
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await Assert.ThrowsAnyAsync<Exception>(() => rows.ExecuteAsync(CancellationToken.None));
        }

        Assert.Equal(0, await server.QueryAsync(db => db.Set<OutboxMessage>().Where(m => m.Id == message.Id).Select(m => m.Attempts).SingleAsync()));
        Assert.True(rows.IsEmpty);
    }
}

public sealed class DirectRowsOnSqlite : DirectRowsTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class DirectRowsOnPostgres(PostgresServer postgres) : DirectRowsTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
