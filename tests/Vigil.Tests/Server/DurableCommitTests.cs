using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Catalog;
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
        db.Add(new Service { Name = "billing" });

        await LazilySynced.SaveChangesAsync(db);

        Assert.Equal(1, await server.QueryAsync(other => other.Set<Service>().CountAsync(s => s.Name == "billing")));
        await db.Database.OpenConnectionAsync();
        Assert.Equal(2, await SynchronousAsync(db));
        await db.Database.CloseConnectionAsync();
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
}
