using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Catalog;
using Vigil.Features.Notifications.Outbox;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// On SQLite every commit is on the disk when it returns (<c>synchronous = FULL</c>: the log is
/// synced before <c>COMMIT</c> returns), but for a delivery's record (<see cref="LazilySynced"/>),
/// which is synced with the next one; no connection goes back to the pool without FULL.
/// </summary>
public sealed class DurableCommitTests : IAsyncLifetime
{
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>SQLite's <c>PRAGMA synchronous</c> on the context's connection: 0 off, 1 normal, 2 full.</summary>
    private static Task<long> SynchronousAsync(VigilDbContext db) => PragmaAsync(db, "synchronous");

    private static async Task<long> PragmaAsync(VigilDbContext db, string name)
    {
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Temporary_tables_stay_in_memory_instead_of_a_file_per_statement()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        await db.Database.OpenConnectionAsync();

        // 0 default (a file, as this build of SQLite is compiled), 1 file, 2 memory.
        Assert.Equal(2, await PragmaAsync(db, "temp_store"));
        await db.Database.CloseConnectionAsync();
    }

    [Fact]
    public async Task A_lazily_synced_save_is_committed_and_its_connection_commits_durably_again()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var message = new OutboxMessage { Channel = "ops", IdempotencyKey = "lazily", GroupKey = "g", Payload = "{}", CreatedAt = server.Clock.GetUtcNow(), Status = OutboxStatus.Delivered };

        await LazilySynced.ExecuteAsync(db, default, new DirectRows(db).Insert(message));

        Assert.Equal(1, await server.QueryAsync(other => other.Set<OutboxMessage>().CountAsync(m => m.IdempotencyKey == "lazily")));
        await db.Database.OpenConnectionAsync();
        Assert.Equal(2, await SynchronousAsync(db));
        await db.Database.CloseConnectionAsync();
    }

    [Fact]
    public async Task A_deferred_sync_commits_visibly_without_syncing_until_asked_and_then_hands_back_a_durable_connection()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var unsynced = await DeferredSync.BeginAsync(db, CancellationToken.None);
        Assert.Equal(1, await SynchronousAsync(db));
        db.Add(new Service { Name = "payments" });
        await db.SaveChangesAsync();

        // Committed: other connections read it before the log is synced.
        Assert.Equal(1, await server.QueryAsync(other => other.Set<Service>().CountAsync(s => s.Name == "payments")));
        var log = ((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection()).DataSource + "-wal";
        Assert.True(File.Exists(log));
        await unsynced.SyncAsync(CancellationToken.None);
        // Still usable after the sync; still unsynced commits until disposed.
        Assert.Equal(1, await SynchronousAsync(db));
        await unsynced.DisposeAsync();

        await db.Database.OpenConnectionAsync();
        Assert.Equal(2, await SynchronousAsync(db));
        await db.Database.CloseConnectionAsync();
    }

    [Fact]
    public async Task A_deferred_sync_syncs_the_log_after_its_connection_went_back_to_the_pool()
    {
        // The dispatcher gives its connection back within its write turn, then syncs the log.
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var unsynced = await DeferredSync.BeginAsync(db, CancellationToken.None);
        db.Add(new Service { Name = "ledger" });
        await db.SaveChangesAsync();
        await unsynced.DisposeAsync();
        Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);

        await unsynced.SyncAsync(CancellationToken.None);

        Assert.Equal(1, await server.QueryAsync(other => other.Set<Service>().CountAsync(s => s.Name == "ledger")));
        // The connection it gave back commits durably again.
        await db.Database.OpenConnectionAsync();
        Assert.Equal(2, await SynchronousAsync(db));
        await db.Database.CloseConnectionAsync();
    }

    [Fact]
    public async Task A_deferred_sync_whose_log_was_checkpointed_away_has_nothing_left_to_sync()
    {
        var directory = Directory.CreateTempSubdirectory("vigil-sync-");
        try
        {
            var options = new DbContextOptionsBuilder<SqliteVigilDbContext>()
                .UseSqlite($"Data Source={Path.Combine(directory.FullName, "alone.db")};Pooling=False").Options;
            await using var db = new SqliteVigilDbContext(options);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);");
            await using var unsynced = await DeferredSync.BeginAsync(db, CancellationToken.None);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (1);");
            var log = Path.Combine(directory.FullName, "alone.db-wal");
            Assert.True(File.Exists(log));
            File.Delete(log); // as SQLite does when its last connection closes, after checkpointing the log

            await unsynced.SyncAsync(CancellationToken.None);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_connection_vigil_opens_commits_durably_whatever_it_was_last_set_to()
    {
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await db.Database.OpenConnectionAsync();
            // A connection left without syncing goes back to the pool.
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = OFF;");
            Assert.Equal(0, await SynchronousAsync(db));
            await db.Database.CloseConnectionAsync();
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await db.Database.OpenConnectionAsync();
            Assert.Equal(2, await SynchronousAsync(db));
            await db.Database.CloseConnectionAsync();
        }
    }

    [Fact]
    public async Task The_write_turns_holders_share_one_kept_connection_and_their_contexts_get_their_own_back()
    {
        var turns = server.Services.GetRequiredService<WriteTurn>();
        var counter = server.Services.GetRequiredService<ConnectionCounter>();
        Microsoft.Data.Sqlite.SqliteConnection? first = null;
        foreach (var name in (string[])["kept-1", "kept-2"])
        {
            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var own = db.Database.GetDbConnection();
            using (var turn = await turns.EnterAsync(CancellationToken.None))
            {
                await LazilySynced.ExecuteAsync(db, turn, new DirectRows(db).Insert(Message(name)));

                // Given back within the turn: the context has a connection of its own again, closed.
                Assert.NotSame(turns.Kept, db.Database.GetDbConnection());
                Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);
                // The kept one stays open, unsynced (only these writers use it), and is the same for every holder.
                Assert.NotNull(turns.Kept);
                first ??= turns.Kept;
                Assert.Same(first, turns.Kept);
                await using var pragma = turns.Kept!.CreateCommand();
                pragma.CommandText = "PRAGMA synchronous;";
                Assert.Equal(1L, await pragma.ExecuteScalarAsync());
            }
            Assert.NotSame(own, turns.Kept);
            // What the context opens next commits durably, as every other connection does.
            await db.Database.OpenConnectionAsync();
            Assert.Equal(2, await SynchronousAsync(db));
            await db.Database.CloseConnectionAsync();
        }

        // Both committed and visible to every other connection; the kept connection is counted as open.
        Assert.Equal(2, await server.QueryAsync(other => other.Set<OutboxMessage>().CountAsync(m => m.IdempotencyKey.StartsWith("kept-"))));
        Assert.True(counter.Open >= 1);
    }

    [Fact]
    public async Task A_kept_connection_left_inside_a_transaction_is_given_up_and_what_it_wrote_is_not_committed()
    {
        var turns = server.Services.GetRequiredService<WriteTurn>();
        Microsoft.Data.Sqlite.SqliteConnection left;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            using var turn = await turns.EnterAsync(CancellationToken.None);
            var unsynced = await DeferredSync.BeginAsync(db, turn, CancellationToken.None);
            left = (Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection();
            Assert.Same(turns.Kept, left);
            // A transaction begun around EF, and never ended.
            await db.Database.ExecuteSqlRawAsync("BEGIN;");
            await new DirectRows(db).Insert(Message("left-open")).ExecuteAsync(CancellationToken.None);

            await unsynced.DisposeAsync();

            Assert.Null(turns.Kept);
            Assert.Equal(System.Data.ConnectionState.Closed, left.State);
        }

        Assert.Equal(0, await server.QueryAsync(other => other.Set<OutboxMessage>().CountAsync(m => m.IdempotencyKey == "left-open")));
        // The next holder opens another, and writes through it.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            using var turn = await turns.EnterAsync(CancellationToken.None);
            await LazilySynced.ExecuteAsync(db, turn, new DirectRows(db).Insert(Message("after-left-open")));
            Assert.NotNull(turns.Kept);
            Assert.NotSame(left, turns.Kept);
        }
        Assert.Equal(1, await server.QueryAsync(other => other.Set<OutboxMessage>().CountAsync(m => m.IdempotencyKey == "after-left-open")));
    }

    [Fact]
    public async Task The_kept_connection_is_closed_when_the_server_stops()
    {
        var own = await TestServer.StartAsync();
        var turns = own.Services.GetRequiredService<WriteTurn>();
        Microsoft.Data.Sqlite.SqliteConnection kept;
        await using (var scope = own.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            using var turn = await turns.EnterAsync(CancellationToken.None);
            await LazilySynced.ExecuteAsync(db, turn, new DirectRows(db).Insert(
                new OutboxMessage { Channel = "ops", IdempotencyKey = "at-stop", GroupKey = "g", Payload = "{}", CreatedAt = own.Clock.GetUtcNow(), Status = OutboxStatus.Delivered }));
            kept = turns.Kept!;
        }
        Assert.Equal(System.Data.ConnectionState.Open, kept.State);

        await own.DisposeAsync();

        Assert.Equal(System.Data.ConnectionState.Closed, kept.State);
        Assert.Null(turns.Kept);
    }

    private OutboxMessage Message(string key) =>
        new() { Channel = "ops", IdempotencyKey = key, GroupKey = "g", Payload = "{}", CreatedAt = server.Clock.GetUtcNow(), Status = OutboxStatus.Delivered };
}
