using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Alerting.Dispatch;
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

    /// <summary>What a writer holds around its transaction: nothing here; the write turn and its kept connection in <see cref="DirectRowsOnSqliteKeptConnection"/>.</summary>
    protected virtual Task<IAsyncDisposable> WriterAsync(TestServer server, VigilDbContext db) => Task.FromResult<IAsyncDisposable>(new NoWriter());

    private sealed class NoWriter : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

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
            await using var writer = await WriterAsync(server, db);
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
            await using var writer = await WriterAsync(server, db);
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
        await using (await WriterAsync(server, db))
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            // As from SaveChanges: the store's error inside a DbUpdateException.
            var refused = await Assert.ThrowsAsync<DbUpdateException>(() => rows.ExecuteAsync(CancellationToken.None));
            Assert.IsAssignableFrom<System.Data.Common.DbException>(refused.InnerException);
        }

        Assert.Equal(0, await server.QueryAsync(db => db.Set<OutboxMessage>().Where(m => m.Id == message.Id).Select(m => m.Attempts).SingleAsync()));
        Assert.True(rows.IsEmpty);
    }

    [Fact]
    public async Task Rows_committed_in_their_own_transaction_are_stored_and_the_connection_writes_on()
    {
        var message = await EnqueuedAsync("k4");
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await using var writer = await WriterAsync(server, db);
            message.Status = OutboxStatus.Delivered;
            message.Attempts = 1;
            var attempt = new DeliveryAttempt { MessageId = message.Id, Channel = "ops", At = message.CreatedAt, DurationMs = 3, Succeeded = true, StatusCode = 200 };
            var rows = new DirectRows(db).Update(message, nameof(OutboxMessage.Status), nameof(OutboxMessage.Attempts)).Insert(attempt);
            var signalled = 0;
            AfterCommit.Add(db, () => signalled++);
            await rows.CommitAsync(CancellationToken.None);
            Assert.Equal(1, signalled);
            Assert.True(attempt.Id > 0);
            Assert.Null(db.Database.CurrentTransaction);
            // A second unit on the same connection: the first left no transaction open.
            message.Attempts = 2;
            await new DirectRows(db).Update(message, nameof(OutboxMessage.Attempts)).CommitAsync(CancellationToken.None);
        }

        var stored = await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == message.Id));
        Assert.Equal((OutboxStatus.Delivered, 2), (stored.Status, stored.Attempts));
        Assert.Equal(1, await server.QueryAsync(db => db.Set<DeliveryAttempt>().CountAsync(a => a.MessageId == message.Id && a.StatusCode == 200)));
    }

    [Fact]
    public async Task A_refused_row_in_a_committed_unit_writes_nothing_of_it_and_the_connection_writes_on()
    {
        var message = await EnqueuedAsync("k5");
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await using var writer = await WriterAsync(server, db);
            message.Attempts = 9;
            // The insert breaks the foreign key to the outbox, after the update ran.
            var rows = new DirectRows(db)
                .Update(message, nameof(OutboxMessage.Attempts))
                .Insert(new DeliveryAttempt { MessageId = message.Id + 1000, Channel = "ops", At = message.CreatedAt, DurationMs = 1, Succeeded = false });
            var signalled = 0;
            AfterCommit.Add(db, () => signalled++);
            var refused = await Assert.ThrowsAsync<DbUpdateException>(() => rows.CommitAsync(CancellationToken.None));
            Assert.IsAssignableFrom<System.Data.Common.DbException>(refused.InnerException);
            // Nothing committed: nothing is signalled.
            Assert.Equal(0, signalled);
            message.Status = OutboxStatus.Failed;
            await new DirectRows(db).Update(message, nameof(OutboxMessage.Status)).CommitAsync(CancellationToken.None);
        }

        // The refused unit's update was rolled back with it; the next unit's stands.
        var stored = await server.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == message.Id));
        Assert.Equal((OutboxStatus.Failed, 0), (stored.Status, stored.Attempts));
    }

    private static AlertGroup Group(string route) => new()
    {
        RouteId = route,
        GroupKey = "{}:{alertname=\"" + route + "\"}",
        Receiver = "ops",
        GroupLabelsJson = "{}",
        CreatedAt = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero),
        NextFlushAt = new DateTimeOffset(2026, 11, 2, 9, 0, 30, TimeSpan.Zero),
    };

    [Fact]
    public async Task Tracked_changes_saved_directly_are_the_rows_save_changes_would_write_and_the_tracker_goes_on_from_them()
    {
        long gone, kept;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            db.AddRange(Group("gone"), Group("kept"));
            await db.SaveChangesAsync();
            (gone, kept) = (db.Set<AlertGroup>().Local.Single(g => g.RouteId == "gone").Id, db.Set<AlertGroup>().Local.Single(g => g.RouteId == "kept").Id);
        }
        var version = SavedTypes.Version(typeof(AlertGroup));
        var flushed = new DateTimeOffset(2026, 11, 2, 9, 0, 31, 250, TimeSpan.Zero);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var groups = await db.Set<AlertGroup>().ToDictionaryAsync(g => g.RouteId);
            db.Remove(groups["gone"]);
            groups["kept"].LastFlushAt = flushed;
            groups["kept"].Receiver = "it's; \"quoted\"";
            var added = new[] { Group("new-1"), Group("new-2") };
            db.AddRange(added);
            db.Add(new AlertEvent { Fingerprint = "abc", At = flushed, Kind = "notified", Status = "firing", Receiver = null, Detail = "first notification" });
            // Delivery attempts refer to outbox messages: a message is still a plain row.
            var message = new OutboxMessage { Channel = "ops", IdempotencyKey = "k5", GroupKey = "group", Payload = "{}", CreatedAt = flushed, NextAttemptAt = flushed, Status = OutboxStatus.Pending };
            db.Add(message);
            List<object> saved;
            await using (await WriterAsync(server, db))
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                saved = await DirectRows.SaveChangesAsync(db, CancellationToken.None);
                await transaction.CommitAsync();
            }

            // It names what it added (not what it changed or deleted).
            Assert.Equal(4, saved.Count);
            Assert.Equal(new object[] { added[0], added[1], message }.ToHashSet(), saved.Where(e => e is AlertGroup or OutboxMessage).ToHashSet());
            Assert.Single(saved.OfType<AlertEvent>());
            // The keys the store gave are the tracked ones, and nothing is left to save.
            var stored = await server.QueryAsync(d => d.Set<AlertGroup>().AsNoTracking().ToDictionaryAsync(g => g.RouteId));
            Assert.Equal(["kept", "new-1", "new-2"], stored.Keys.Order());
            Assert.Equal([stored["new-1"].Id, stored["new-2"].Id], added.Select(g => g.Id));
            Assert.DoesNotContain(gone, stored.Values.Select(g => g.Id));
            Assert.Equal(kept, stored["kept"].Id);
            Assert.Equal((flushed, "it's; \"quoted\""), (stored["kept"].LastFlushAt, stored["kept"].Receiver));
            Assert.Equal((Group("x").NextFlushAt, (DateTimeOffset?)null), (stored["new-1"].NextFlushAt, stored["new-1"].LastFlushAt));
            Assert.False(db.ChangeTracker.HasChanges());
            Assert.All(db.ChangeTracker.Entries(), e => Assert.Equal(EntityState.Unchanged, e.State));
            Assert.True(SavedTypes.Version(typeof(AlertGroup)) > version);
            var history = await server.QueryAsync(d => d.Set<AlertEvent>().AsNoTracking().SingleAsync(e => e.Fingerprint == "abc"));
            Assert.Equal((flushed, "notified", (string?)null, "first notification"), (history.At, history.Kind, history.Receiver, history.Detail));
            var enqueued = await server.QueryAsync(d => d.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.IdempotencyKey == "k5"));
            Assert.Equal((message.Id, OutboxStatus.Pending, (DateTimeOffset?)flushed), (enqueued.Id, enqueued.Status, enqueued.NextAttemptAt));

            // SaveChanges goes on from the saved rows: an inserted one is updated under its key.
            added[0].Receiver = "later";
            await db.SaveChangesAsync();
        }
        Assert.Equal("later", await server.QueryAsync(d => d.Set<AlertGroup>().Where(g => g.RouteId == "new-1").Select(g => g.Receiver).SingleAsync()));
    }

    [Fact]
    public async Task An_update_of_a_row_deleted_meanwhile_fails_as_save_changes_would_and_writes_nothing()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var group = Group("lost");
        db.Add(group);
        await db.SaveChangesAsync();
        await server.QueryAsync(d => d.Set<AlertGroup>().Where(g => g.RouteId == "lost").ExecuteDeleteAsync());
        group.Receiver = "changed";
        db.Add(Group("other"));
        await using (await WriterAsync(server, db))
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => DirectRows.SaveChangesAsync(db, CancellationToken.None));
        }

        Assert.Equal(0, await server.QueryAsync(d => d.Set<AlertGroup>().CountAsync()));
    }

    [Fact]
    public async Task Rows_named_several_times_are_written_once_with_their_values_when_run_and_inserted_ones_get_their_keys()
    {
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            db.AddRange(Group("changed"), Group("removed"));
            await db.SaveChangesAsync();
        }
        var at = new DateTimeOffset(2026, 11, 2, 9, 5, 0, TimeSpan.Zero);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var stored = await db.Set<AlertGroup>().AsNoTracking().ToDictionaryAsync(g => g.RouteId);
            var changed = stored["changed"];
            var fresh = Group("fresh");
            var dropped = Group("never-written");
            var rows = new DirectRows(db).Insert(fresh).Insert(dropped).Update(changed, nameof(AlertGroup.Receiver));
            // Named again: one statement per row, with the values the rows have when it runs.
            changed.Receiver = "second";
            changed.LastFlushAt = at;
            rows.Update(changed, nameof(AlertGroup.LastFlushAt)).Update(fresh, nameof(AlertGroup.Receiver)).Delete(dropped).Delete(stored["removed"]);
            fresh.Receiver = "set after it was named";
            await using var writer = await WriterAsync(server, db);
            await using var transaction = await db.Database.BeginTransactionAsync();
            await rows.ExecuteAsync(CancellationToken.None);
            await transaction.CommitAsync();
            Assert.True(rows.IsEmpty);
            Assert.NotEqual(0, fresh.Id);
            Assert.Empty(db.ChangeTracker.Entries());
        }

        var after = await server.QueryAsync(d => d.Set<AlertGroup>().AsNoTracking().ToDictionaryAsync(g => g.RouteId));
        Assert.Equal(["changed", "fresh"], after.Keys.Order());
        Assert.Equal(("second", (DateTimeOffset?)at), (after["changed"].Receiver, after["changed"].LastFlushAt));
        Assert.Equal("set after it was named", after["fresh"].Receiver);
    }

    [Fact]
    public async Task An_update_that_finds_no_row_fails_as_save_changes_would()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var ghost = Group("ghost");
        ghost.Id = 4242;
        var rows = new DirectRows(db).Insert(Group("alongside")).Update(ghost, nameof(AlertGroup.Receiver));
        await using (await WriterAsync(server, db))
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => rows.ExecuteAsync(CancellationToken.None));
        }

        Assert.Equal(0, await server.QueryAsync(d => d.Set<AlertGroup>().CountAsync()));
    }

    [Fact]
    public async Task Rows_it_does_not_write_itself_are_left_to_save_changes()
    {
        var message = await EnqueuedAsync("k4");
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        // An attempt refers to its message (a foreign key): the whole save goes through SaveChanges.
        var attempt = new DeliveryAttempt { MessageId = message.Id, Channel = "ops", At = message.CreatedAt, DurationMs = 3, Succeeded = true };
        var group = Group("with-attempt");
        db.AddRange(attempt, group);
        await using (await WriterAsync(server, db))
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            // What it added is named as in the direct path.
            Assert.Equal(new object[] { attempt, group }.ToHashSet(), (await DirectRows.SaveChangesAsync(db, CancellationToken.None)).ToHashSet());
            await transaction.CommitAsync();
        }
        // Without a transaction, too.
        var outside = Group("outside");
        db.Add(outside);
        Assert.Equal([outside], await DirectRows.SaveChangesAsync(db, CancellationToken.None));

        Assert.False(db.ChangeTracker.HasChanges());
        Assert.Equal(attempt.Id, await server.QueryAsync(d => d.Set<DeliveryAttempt>().Where(a => a.MessageId == message.Id).Select(a => a.Id).SingleAsync()));
        Assert.Equal([group.Id, outside.Id], await server.QueryAsync(d => d.Set<AlertGroup>().OrderBy(g => g.Id).Select(g => g.Id).ToListAsync()));
    }
}

public sealed class DirectRowsOnSqlite : DirectRowsTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

/// <summary>The same rows on the connection the write turn keeps open, where statements run prepared straight through SQLite.</summary>
public sealed class DirectRowsOnSqliteKeptConnection : DirectRowsTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);

    protected override async Task<IAsyncDisposable> WriterAsync(TestServer server, VigilDbContext db)
    {
        var turns = server.Services.GetRequiredService<WriteTurn>();
        var turn = await turns.EnterAsync(CancellationToken.None);
        // A first holder opens the connection to keep; each test's writer borrows it.
        await (await DeferredSync.BeginAsync(db, turn, CancellationToken.None)).DisposeAsync();
        var unsynced = await DeferredSync.BeginAsync(db, turn, CancellationToken.None);
        Assert.Same(turns.Kept, db.Database.GetDbConnection());
        return new Held(turn, unsynced);
    }

    private sealed class Held(WriteTurn.Held turn, DeferredSync unsynced) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await unsynced.DisposeAsync();
            turn.Dispose();
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class DirectRowsOnPostgres(PostgresServer postgres) : DirectRowsTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
