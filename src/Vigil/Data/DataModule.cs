using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Vigil.Data;

public static class DataModule
{
    private static readonly AfterCommitInterceptor AfterCommitInterceptorInstance = new();
    private static readonly Features.Cluster.FenceInterceptor FenceInterceptorInstance = new();

    // Services own several collections (contacts, environments, dependencies): one query per
    // collection instead of one joined query whose rows multiply. Contexts are pooled (their options
    // are built once, from singletons): a scope takes a reset context instead of building one and its
    // internal services again, which was a fifth of the cost of each context the alert path creates
    // (its pass and its sender's record) and ~10 % of the process's CPU under alert load.
    public static IServiceCollection AddVigilData(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<ConnectionCounter>();
        // A factory, so that the container disposes it (and its kept connection) at the end.
        services.AddSingleton(_ => new WriteTurn(serialize: settings.Provider != DatabaseProvider.Postgres));
        services.AddSingleton(sp => new DatabaseDamageWatch(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            services.AddDbContextPool<VigilDbContext, PostgresVigilDbContext>((sp, o) =>
                o.UseNpgsql(settings.ConnectionString, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)).AddInterceptors(sp.GetRequiredService<ConnectionCounter>(), sp.GetRequiredService<DatabaseDamageWatch>(), AfterCommitInterceptorInstance, FenceInterceptorInstance));
        }
        else
        {
            services.AddDbContextPool<VigilDbContext, SqliteVigilDbContext>((sp, o) =>
                o.UseSqlite(settings.ConnectionString, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)).AddInterceptors(sp.GetRequiredService<ConnectionCounter>(), sp.GetRequiredService<DatabaseDamageWatch>(), AfterCommitInterceptorInstance, SqliteBusyTimeout.Instance, SavedTypesInterceptor.Instance));
            services.AddSingleton(sp => new WalCheckpoints(settings, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<WalCheckpoints>>()));
            services.AddHostedService(sp => sp.GetRequiredService<WalCheckpoints>());
        }
        return services;
    }

    /// <summary>
    /// Applies pending migrations; SQLite is switched to WAL journaling for concurrent readers.
    /// A damaged database file is a <see cref="DamagedDatabaseException"/> naming it.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var file = db.Database.IsSqlite() ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource : "(PostgreSQL)";
        try
        {
            if (db.Database.IsSqlite())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                // Outside EF, so a damaged file is reported in one line, not also as a failed command in the log.
                await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(db.Database.GetConnectionString());
                await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode=WAL;";
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await db.Database.MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseDamageWatch.IsDamage(e))
        {
            throw new DamagedDatabaseException(file, e.Message);
        }
    }
}

/// <summary>
/// Sets SQLite's own busy timeout on every connection Vigil opens. Without it a writer that finds
/// another holding the write lock gets SQLITE_BUSY at once, and Microsoft.Data.Sqlite retries the
/// statement after sleeping 150 ms: an alert POST that met the dispatcher's commit answered in
/// 160 ms instead of 12 (bench/alerting/vs_alertmanager.py). SQLite's busy handler instead polls
/// the lock in steps of 1, 2, 5, 10... ms (sqlite3_busy_timeout), so the writer goes on as soon as
/// the lock is free; the bound is the command timeout (30 s), as before.
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public static readonly SqliteBusyTimeout Instance = new();

    // synchronous = FULL as well: every commit is durable when it returns, whatever a connection from
    // the pool was last set to (LazilySynced sets NORMAL for one save and back). temp_store = MEMORY:
    // SQLite's temporary tables (EF's INSERT ... RETURNING, sorts, statement journals) are otherwise
    // files, one created and deleted in /var/tmp for nearly every alert (strace of the alert path).
    // wal_autocheckpoint: commits leave checkpoints to WalCheckpoints unless the log grows past its bound.
    private static readonly string Pragma =
        $"PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {WalCheckpoints.AutoCheckpointPages};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        SqlitePragmas.Run((Microsoft.Data.Sqlite.SqliteConnection)connection, Pragma);

    // No I/O to wait for: the settings are the connection's, in memory.
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ConnectionOpened(connection, eventData);
        return Task.CompletedTask;
    }
}

/// <summary>Counts database connections Vigil holds open, for <c>/api/system/info</c>.</summary>
public sealed class ConnectionCounter : DbConnectionInterceptor
{
    private int open;

    public int Open => Volatile.Read(ref open);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Interlocked.Increment(ref open);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref open);
        return Task.CompletedTask;
    }

    public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Interlocked.Decrement(ref open);

    public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Interlocked.Decrement(ref open);
        return Task.CompletedTask;
    }
}
