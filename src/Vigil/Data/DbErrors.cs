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
}
