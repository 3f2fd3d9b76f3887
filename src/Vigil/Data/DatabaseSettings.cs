using Microsoft.Data.Sqlite;
using Npgsql;

namespace Vigil.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Which database Vigil keeps its state in. Empty means SQLite at <c>DATA/vigil.db</c>;
/// <c>postgres://user:pass@host:port/db?sslmode=...</c> (or <c>postgresql://</c>) means PostgreSQL;
/// <c>sqlite:///path/file.db</c> or a plain path means SQLite at that path.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public static DatabaseSettings Parse(string? database, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            return Sqlite(Path.Combine(dataDirectory, "vigil.db"));
        }
        if (database.StartsWith("postgres://", StringComparison.Ordinal) || database.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            return new(DatabaseProvider.Postgres, PostgresFromUrl(database));
        }
        if (database.StartsWith("sqlite://", StringComparison.Ordinal))
        {
            return Sqlite(database["sqlite://".Length..]);
        }
        if (database.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return new(DatabaseProvider.Postgres, database);
        }
        return Sqlite(database);
    }

    private static DatabaseSettings Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Pooling = true, DefaultTimeout = 30 };
        return new(DatabaseProvider.Sqlite, builder.ToString());
    }

    /// <summary>Npgsql takes key-value connection strings; operators write URLs. This translates one to the other.</summary>
    private static string PostgresFromUrl(string url)
    {
        var uri = new Uri(url);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            ApplicationName = "vigil",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0]).Replace('_', ' ')] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return builder.ToString();
    }

    /// <summary>The connection string with any password masked, for logs and the health endpoint.</summary>
    public string Redacted => Provider == DatabaseProvider.Postgres
        ? new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }.ToString()
        : ConnectionString;
}
