using Microsoft.Data.Sqlite;
using Npgsql;

namespace Vigil.Data;

/// <summary>A write that failed because the disk under Vigil's data (or PostgreSQL's) has no room left.</summary>
public static class StorageErrors
{
    // Linux errno values, which .NET gives as the HResult of the IOException it throws.
    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT

    /// <summary>
    /// SQLite's SQLITE_FULL (13), PostgreSQL's disk_full (SQLSTATE 53100), or a file write that
    /// failed with ENOSPC or EDQUOT. Nothing was written, and the same write succeeds once there is room.
    /// </summary>
    public static bool IsDiskFull(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SqliteException sqlite when sqlite.SqliteErrorCode == 13:
                case PostgresException { SqlState: PostgresErrorCodes.DiskFull }:
                case IOException { HResult: NoSpace or QuotaExceeded }:
                    return true;
            }
        }
        return false;
    }

    /// <summary>A short reason for logs and health, without the framework's exception text.</summary>
    public static string Describe(Exception e) => IsDiskFull(e)
        ? e is IOException { HResult: QuotaExceeded } ? "disk quota exceeded" : "no space left on the disk"
        : $"I/O error {e.HResult}";
}
