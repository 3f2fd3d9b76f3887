using System.Formats.Tar;
using Vigil.Data;

namespace Vigil.Features.Backups;

/// <summary>
/// <c>vigil backup restore FROM --data DIR</c>: turns a backup (a directory or the tar archive
/// <c>vigil backup create</c> wrote) into a data directory <c>vigil serve --data DIR</c> starts
/// from. Every file is checked against the manifest first; nothing is written when one is damaged.
/// A SQLite backup becomes <c>DIR/vigil.db</c>; a PostgreSQL backup is loaded with
/// <c>pg_restore</c> into the database of <c>--database</c>.
/// </summary>
public static class RestoreVigilBackup
{
    public sealed record Request(string From, string DataDirectory, string? Database, bool Force);

    /// <summary>Returns the manifest of what was restored, or the reason nothing was.</summary>
    public static async Task<(BackupManifest? Restored, string? Error)> RunAsync(Request request, CancellationToken cancellationToken)
    {
        string? unpacked = null;
        try
        {
            var source = request.From;
            if (File.Exists(source))
            {
                unpacked = Path.Combine(Path.GetTempPath(), $"vigil-restore-{Guid.NewGuid():N}");
                Directory.CreateDirectory(unpacked);
                await TarFile.ExtractToDirectoryAsync(source, unpacked, overwriteFiles: false, cancellationToken);
                source = unpacked;
            }
            else if (!Directory.Exists(source))
            {
                return (null, $"{source}: no such file or directory");
            }
            var (manifest, problems) = await BackupManifest.VerifyAsync(source, cancellationToken);
            if (manifest is null || problems.Count > 0)
            {
                return (null, $"{request.From} is not a whole Vigil backup; nothing was restored:\n  " + string.Join("\n  ", problems));
            }
            var data = request.DataDirectory;
            if (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any() && !request.Force)
            {
                return (null, $"{data} is not empty; restore into a new directory, or pass --force to replace its database, metrics and configuration");
            }
            DatabaseSettings? postgres = null;
            if (manifest.Database == "postgres")
            {
                var url = request.Database ?? Environment.GetEnvironmentVariable("VIGIL_DATABASE");
                postgres = url is null ? null : DatabaseSettings.Parse(url, data);
                if (postgres is not { Provider: DatabaseProvider.Postgres })
                {
                    return (null, "this backup is of a PostgreSQL server: --database (or VIGIL_DATABASE) must name the PostgreSQL database to restore into");
                }
            }
            else if (request.Database is { } other && DatabaseSettings.Parse(other, data).Provider != DatabaseProvider.Sqlite)
            {
                return (null, "this backup is of a SQLite server: it restores to DIR/vigil.db; leave out --database");
            }

            Directory.CreateDirectory(data);
            foreach (var stale in new[] { "vigil.db", "vigil.db-wal", "vigil.db-shm" })
            {
                File.Delete(Path.Combine(data, stale));
            }
            if (Directory.Exists(Path.Combine(data, BackupManifest.MetricsDirectory)))
            {
                Directory.Delete(Path.Combine(data, BackupManifest.MetricsDirectory), recursive: true);
            }
            if (postgres is null)
            {
                File.Copy(Path.Combine(source, BackupManifest.SqliteFile), Path.Combine(data, "vigil.db"));
            }
            else
            {
                // --clean --if-exists only when forced: without it a database that already holds
                // Vigil's tables makes pg_restore stop at the first conflict (--exit-on-error).
                var builder = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString);
                List<string> arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", builder.Database!];
                if (request.Force)
                {
                    arguments.AddRange(["--clean", "--if-exists"]);
                }
                arguments.Add(Path.Combine(source, BackupManifest.PostgresFile));
                await PostgresTools.RunAsync("pg_restore", postgres.ConnectionString, arguments, cancellationToken);
            }
            CopyTree(Path.Combine(source, BackupManifest.MetricsDirectory), Path.Combine(data, BackupManifest.MetricsDirectory));
            var config = Path.Combine(source, BackupManifest.ConfigDirectory);
            if (Directory.Exists(config))
            {
                foreach (var file in Directory.EnumerateFiles(config))
                {
                    File.Copy(file, Path.Combine(data, Path.GetFileName(file)), overwrite: true);
                }
            }
            return (manifest, null);
        }
        finally
        {
            if (unpacked is not null)
            {
                Directory.Delete(unpacked, recursive: true);
            }
        }
    }

    private static void CopyTree(string source, string target)
    {
        if (!Directory.Exists(source))
        {
            return;
        }
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyTree(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }
}
