using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Vigil.Data;

public static class DataModule
{
    private static readonly AfterCommitInterceptor AfterCommitInterceptorInstance = new();
    private static readonly Features.Cluster.FenceInterceptor FenceInterceptorInstance = new();

    // Services own several collections (contacts, environments, dependencies): one query per
    // collection instead of one joined query whose rows multiply.
    public static IServiceCollection AddVigilData(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<ConnectionCounter>();
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            services.AddDbContext<VigilDbContext, PostgresVigilDbContext>((sp, o) =>
                o.UseNpgsql(settings.ConnectionString, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)).AddInterceptors(sp.GetRequiredService<ConnectionCounter>(), AfterCommitInterceptorInstance, FenceInterceptorInstance));
        }
        else
        {
            services.AddDbContext<VigilDbContext, SqliteVigilDbContext>((sp, o) =>
                o.UseSqlite(settings.ConnectionString, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)).AddInterceptors(sp.GetRequiredService<ConnectionCounter>(), AfterCommitInterceptorInstance));
        }
        return services;
    }

    /// <summary>Applies pending migrations; SQLite is switched to WAL journaling for concurrent readers.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        if (db.Database.IsSqlite())
        {
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        await db.Database.MigrateAsync(cancellationToken);
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
