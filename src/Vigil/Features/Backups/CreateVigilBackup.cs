using System.Formats.Tar;
using Microsoft.Data.Sqlite;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Features.Backups;

/// <summary>
/// <c>POST /api/system/backup</c> (what <c>vigil backup create</c> calls): a consistent online
/// backup of this server, answered as a tar archive, while the server keeps accepting writes.
/// The state database is copied by the database itself (SQLite <c>VACUUM INTO</c>, a
/// transactionally consistent copy taken under a read transaction; PostgreSQL <c>pg_dump
/// --format=custom</c>, one snapshot of the database); the metrics store by
/// <see cref="TsdbStore.SnapshotAsync"/>; the configuration file and the files beside it that it
/// names. Data Protection keys (console sessions, secrets) live in the database and come with it.
/// </summary>
public static class CreateVigilBackup
{
    public static async Task<IResult> Handle(
        Hosting.ServeOptions serve, DatabaseSettings database, ISampleStore samples, TimeProvider clock,
        VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(Path.GetTempPath(), $"vigil-backup-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var manifest = await StageAsync(staging, serve, database, samples, clock, cancellationToken);
            audit.Record("create", "backup", manifest.CreatedAt.ToString("O"), new { database = manifest.Database, files = manifest.Files.Count, bytes = manifest.Files.Sum(f => f.SizeBytes) });
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
        return TypedResults.Stream(async body =>
        {
            try
            {
                await TarFile.CreateFromDirectoryAsync(staging, body, includeBaseDirectory: false, CancellationToken.None);
            }
            finally
            {
                Directory.Delete(staging, recursive: true);
            }
        }, "application/x-tar", $"vigil-backup-{clock.GetUtcNow():yyyyMMddTHHmmssZ}.tar");
    }

    /// <summary>Writes the backup's files and its manifest into <paramref name="staging"/>.</summary>
    public static async Task<BackupManifest> StageAsync(
        string staging, Hosting.ServeOptions serve, DatabaseSettings database, ISampleStore samples, TimeProvider clock, CancellationToken cancellationToken)
    {
        var createdAt = clock.GetUtcNow();
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            await using var connection = new SqliteConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var vacuum = connection.CreateCommand();
            // https://sqlite.org/lang_vacuum.html#vacuuminto: "The VACUUM INTO command is
            // transactional in the sense that the generated output database is a consistent
            // snapshot of the original database", and it may run while others write.
            vacuum.CommandText = "VACUUM INTO $target";
            vacuum.Parameters.AddWithValue("$target", Path.Combine(staging, BackupManifest.SqliteFile));
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            // pg_dump takes one MVCC snapshot of the whole database; writers are not blocked.
            await PostgresTools.RunAsync("pg_dump", database.ConnectionString,
                ["--format=custom", "--no-owner", "--no-privileges", "--file", Path.Combine(staging, BackupManifest.PostgresFile)], cancellationToken);
        }
        if (samples is TsdbStore store)
        {
            await store.SnapshotAsync(Path.Combine(staging, BackupManifest.MetricsDirectory), cancellationToken);
        }
        if (serve.ConfigPath is { } configPath && File.Exists(configPath))
        {
            CopyConfiguration(configPath, Path.Combine(staging, BackupManifest.ConfigDirectory));
        }
        var manifest = new BackupManifest(
            BackupManifest.CurrentFormat,
            Server.ProcessClock.Version,
            createdAt,
            database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            await BackupManifest.DescribeAsync(staging, cancellationToken));
        await manifest.WriteAsync(staging, cancellationToken);
        return manifest;
    }

    /// <summary>
    /// The configuration file as <c>vigil.yaml</c>, and the files in its directory that it names
    /// (token files, rule files): a file is taken when its name appears in the configuration.
    /// </summary>
    private static void CopyConfiguration(string configPath, string target)
    {
        Directory.CreateDirectory(target);
        var text = File.ReadAllText(configPath);
        File.Copy(configPath, Path.Combine(target, "vigil.yaml"));
        var directory = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (file != Path.GetFullPath(configPath) && name != "vigil.yaml" && text.Contains(name, StringComparison.Ordinal) && new FileInfo(file).Length < 16 << 20)
            {
                File.Copy(file, Path.Combine(target, name));
            }
        }
    }
}
