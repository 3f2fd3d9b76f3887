using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// SQLite's log is copied back into the database file by <see cref="WalCheckpoints"/> in the
/// background, not by the commit that pushes it past 1,000 pages: the log grows past that without a
/// commit paying for a checkpoint, and once the loop has checkpointed, the next writes start the
/// log from its beginning again instead of growing the file.
/// </summary>
public sealed class WalCheckpointTests : IAsyncLifetime
{
    private const int PageBytes = 4096;
    private TestServer server = null!;

    public async Task InitializeAsync() => server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    private long LogBytes => new FileInfo(Path.Combine(server.DataDirectory, "vigil.db-wal")).Length;

    /// <summary>Commits <paramref name="pages"/> pages' worth of rows through Vigil's own connections, 250 pages a commit.</summary>
    private async Task WriteAsync(int pages)
    {
        for (var written = 0; written < pages; written += 250)
        {
            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS scratch (body BLOB)");
            await db.Database.ExecuteSqlRawAsync("INSERT INTO scratch WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) SELECT randomblob(4000) FROM n");
        }
    }

    [Fact]
    public async Task Commits_leave_the_checkpoint_to_the_background_and_the_log_is_reused_after_it()
    {
        // SQLite deletes the log when the database's last connection closes, and other tests clear
        // every pool of the process (SqliteConnection.ClearAllPools) as they stop their servers: a
        // connection of the test's own, out of any pool, keeps the log there once it has read the
        // database (a connection counts among the log's users from its first read), idle after it.
        var settings = server.Services.GetRequiredService<DatabaseSettings>();
        await using var keeper = new Microsoft.Data.Sqlite.SqliteConnection(settings.ConnectionString + ";Pooling=False");
        await keeper.OpenAsync();
        await using (var read = keeper.CreateCommand())
        {
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            await read.ExecuteScalarAsync();
        }

        // Checkpointed, so the writes below start the log from its beginning.
        var checkpoints = server.Services.GetRequiredService<WalCheckpoints>();
        await checkpoints.PassAsync(CancellationToken.None);

        // Past SQLite's default threshold (1,000 pages), no commit copied the log back and restarted it.
        await WriteAsync(3250);
        Assert.True(LogBytes >= 3250L * PageBytes, $"the log holds {LogBytes / PageBytes} pages");

        await checkpoints.PassAsync(CancellationToken.None);
        var afterCheckpoint = LogBytes;
        await WriteAsync(1000);
        Assert.True(LogBytes <= afterCheckpoint, $"the log grew from {afterCheckpoint / PageBytes} to {LogBytes / PageBytes} pages after a checkpoint");
        Assert.Equal(4250, await server.QueryAsync(db => db.Database.SqlQueryRaw<int>("SELECT count(*) AS Value FROM scratch").SingleAsync()));
    }
}
