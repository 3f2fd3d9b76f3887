using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Vigil.Data;

/// <summary>
/// Runs a connection's settings (<c>PRAGMA</c>s that change only the connection, in memory, no I/O)
/// straight through SQLite's <c>sqlite3_exec</c>, without a command object: each alert's commits
/// set four on opening a connection and switch <c>synchronous</c> twice, and as commands those
/// were about a tenth of the alert path's allocations (traced with dotnet-trace).
/// </summary>
public static class SqlitePragmas
{
    /// <summary>Runs <paramref name="sql"/> on the open <paramref name="connection"/>; a failure is thrown as Microsoft.Data.Sqlite throws it.</summary>
    public static void Run(SqliteConnection connection, string sql)
    {
        var handle = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_exec(handle, sql), handle);
    }
}
