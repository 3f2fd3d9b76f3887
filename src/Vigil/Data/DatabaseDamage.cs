using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Vigil.Data;

/// <summary>
/// The state database refused to open because its file is damaged: <c>vigil serve</c> prints this
/// one line and exits, instead of a stack trace.
/// </summary>
public sealed class DamagedDatabaseException(string file, string reason)
    : Exception($"vigil: the state database {file} is damaged ({reason}); Vigil will not start on it. Restore your last backup into a fresh data directory with `vigil backup restore BACKUP --data DIR` (docs/backups.md), or move the file aside to start with an empty database.");

/// <summary>
/// Watches every command, and every connection's opening (where SQLite reads the schema for the
/// connection's settings), for the database reporting damage (SQLite's SQLITE_CORRUPT 11 and
/// SQLITE_NOTADB 26, PostgreSQL's data_corrupted XX001 and index_corrupted XX002). The first one
/// found at run time is kept: <c>/api/health</c> answers unhealthy naming it until the process is
/// restarted on a repaired or restored database, rather than "healthy" while every write fails.
/// </summary>
public sealed class DatabaseDamageWatch(TimeProvider clock) : DbCommandInterceptor, IDbConnectionInterceptor
{
    public sealed record Damage(string Reason, DateTimeOffset At);

    private Damage? found;

    public Damage? Found => Volatile.Read(ref found);

    public static bool IsDamage(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode is 11 or 26;
                case PostgresException postgres:
                    return postgres.SqlState is PostgresErrorCodes.DataCorrupted or PostgresErrorCodes.IndexCorrupted;
            }
        }
        return false;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Note(eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Note(eventData.Exception);
        return Task.CompletedTask;
    }

    public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Note(eventData.Exception);

    public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Note(eventData.Exception);
        return Task.CompletedTask;
    }

    /// <summary>The watch among <paramref name="db"/>'s interceptors, for a command run around EF's pipeline (<see cref="DirectRows"/>).</summary>
    public static DatabaseDamageWatch? Of(DbContext db) =>
        db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<DatabaseDamageWatch>().FirstOrDefault();

    /// <summary>Keeps <paramref name="e"/> as the damage found, if it reports damage and none was kept before.</summary>
    public void Note(Exception e)
    {
        if (IsDamage(e))
        {
            Interlocked.CompareExchange(ref found, new Damage(e.Message, clock.GetUtcNow()), null);
        }
    }
}
