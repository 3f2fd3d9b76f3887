using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Features.Backups;

/// <summary>
/// <c>manifest.json</c> at the top of a Vigil backup: what it holds and the SHA-256 of every
/// file, so a restore can refuse a damaged or incomplete copy before it writes anything.
/// </summary>
public sealed record BackupManifest(
    int Format,
    string VigilVersion,
    DateTimeOffset CreatedAt,
    string Database,
    IReadOnlyList<BackupFile> Files)
{
    public const string FileName = "manifest.json";
    public const int CurrentFormat = 1;
    /// <summary>The state database of a SQLite server, taken with <c>VACUUM INTO</c>.</summary>
    public const string SqliteFile = "vigil.db";
    /// <summary>The state database of a PostgreSQL server, <c>pg_dump --format=custom</c>.</summary>
    public const string PostgresFile = "vigil.pgdump";
    public const string MetricsDirectory = "metrics";
    public const string ConfigDirectory = "config";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Lists and checksums every file under <paramref name="directory"/> (paths relative, with '/').</summary>
    public static async Task<IReadOnlyList<BackupFile>> DescribeAsync(string directory, CancellationToken cancellationToken)
    {
        var files = new List<BackupFile>();
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/');
            if (relative == FileName)
            {
                continue;
            }
            files.Add(new BackupFile(relative, new FileInfo(path).Length, await Sha256Async(path, cancellationToken)));
        }
        return files;
    }

    public async Task WriteAsync(string directory, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json), cancellationToken);

    /// <summary>Reads the manifest of an unpacked backup and checks every file against it; the list of problems is empty when it is whole.</summary>
    public static async Task<(BackupManifest? Manifest, List<string> Problems)> VerifyAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return (null, [$"{path}: not found; this is not a Vigil backup"]);
        }
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(path, cancellationToken), Json);
        }
        catch (JsonException e)
        {
            return (null, [$"{path}: {e.Message}"]);
        }
        if (manifest is null || manifest.Format != CurrentFormat)
        {
            return (null, [$"{path}: format {manifest?.Format} is not {CurrentFormat}, the one this vigil reads"]);
        }
        var problems = new List<string>();
        var listed = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            var full = Path.Combine(directory, file.Path);
            if (!File.Exists(full))
            {
                problems.Add($"{file.Path}: missing");
            }
            else if (await Sha256Async(full, cancellationToken) != file.Sha256)
            {
                problems.Add($"{file.Path}: checksum does not match the manifest");
            }
        }
        problems.AddRange((await DescribeAsync(directory, cancellationToken)).Where(f => !listed.Contains(f.Path)).Select(f => $"{f.Path}: not in the manifest"));
        return (manifest, problems);
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}

public sealed record BackupFile(string Path, long SizeBytes, string Sha256);
