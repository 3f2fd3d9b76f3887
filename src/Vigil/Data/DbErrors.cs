using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Vigil.Data;

/// <summary>What a failed write means, the same on both providers.</summary>
public static class DbErrors
{
    /// <summary>
    /// The write lost a race for a unique key to another writer (SQLite's SQLITE_CONSTRAINT, error
    /// 19; PostgreSQL's unique_violation, SQLSTATE 23505): reading again and retrying finds the row.
    /// </summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// The database is away or busy rather than refusing this write: a connection that failed or
    /// was cut, a server shutting down or out of resources (disk full included), SQLite busy, locked
    /// or full (errors 5, 6, 13), a timeout. Trying again later succeeds.
    /// </summary>
    public static bool IsTransient(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case PostgresException postgres:
                    return postgres.IsTransient || postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal);
                case NpgsqlException npgsql:
                    return true; // not a PostgresException: the server could not be reached or the connection broke
                case SqliteException sqlite:
                    // Busy or locked (5, 6), or full (13): the same write succeeds once the other
                    // writer is done or the disk has room again (StorageErrors.IsDiskFull).
                    return sqlite.SqliteErrorCode is 5 or 6 or 13;
                case TimeoutException or System.Net.Sockets.SocketException or IOException:
                    return true;
            }
        }
        return false;
    }
}
