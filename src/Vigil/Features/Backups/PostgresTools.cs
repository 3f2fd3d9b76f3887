using System.Diagnostics;
using Npgsql;

namespace Vigil.Features.Backups;

/// <summary>
/// Runs PostgreSQL's client tools (<c>pg_dump</c>, <c>pg_restore</c>) against the database of a
/// Npgsql connection string. They are taken from <c>PATH</c>, else from Debian's
/// <c>/usr/lib/postgresql/VERSION/bin</c> (newest first: pg_dump must be at least as new as the server).
/// </summary>
public static class PostgresTools
{
    public static string Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin", tool))
                .FirstOrDefault(File.Exists)
            : null;
        return debian ?? throw new InvalidOperationException($"{tool} not found on PATH or under /usr/lib/postgresql/*/bin: install PostgreSQL's client tools (Debian: postgresql-client)");
    }

    /// <summary>Runs <paramref name="tool"/> with libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE) taken from the connection string, so no password appears in a process list.</summary>
    public static async Task RunAsync(string tool, string connectionString, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Find(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PGHOST"] = builder.Host;
        start.Environment["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = builder.Database;
        start.Environment["PGUSER"] = builder.Username;
        start.Environment["PGPASSWORD"] = builder.Password;
        start.Environment["PGSSLMODE"] = builder.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} exited {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}".Trim());
        }
    }
}
