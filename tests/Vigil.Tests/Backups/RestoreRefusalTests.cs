using Vigil.Features.Backups;

namespace Vigil.Tests.Backups;

/// <summary>A restore writes nothing when the target is not empty (unless forced) or the backup is damaged.</summary>
public sealed class RestoreRefusalTests : IAsyncLifetime
{
    private readonly string work = Path.Combine(Path.GetTempPath(), $"vigil-restore-test-{Guid.NewGuid():N}");
    private string backup = null!;

    public async Task InitializeAsync()
    {
        backup = Path.Combine(work, "backup");
        Directory.CreateDirectory(Path.Combine(backup, "config"));
        await File.WriteAllTextAsync(Path.Combine(backup, "vigil.db"), "state");
        await File.WriteAllTextAsync(Path.Combine(backup, "config", "vigil.yaml"), "services: []\n");
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, "test", DateTimeOffset.UnixEpoch, "sqlite", await BackupManifest.DescribeAsync(backup, CancellationToken.None));
        await manifest.WriteAsync(backup, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Restore_into_a_non_empty_directory_is_refused_unless_forced()
    {
        var data = Path.Combine(work, "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "vigil.db"), "live");

        var refused = await SelfBackupTests.RunAsync("backup", "restore", backup, "--data", data);

        Assert.Equal(1, refused.Exit);
        Assert.Contains("is not empty", refused.Error);
        Assert.Equal("live", await File.ReadAllTextAsync(Path.Combine(data, "vigil.db")));

        var forced = await SelfBackupTests.RunAsync("backup", "restore", backup, "--data", data, "--force");

        Assert.True(forced.Exit == 0, forced.Error);
        Assert.Equal("state", await File.ReadAllTextAsync(Path.Combine(data, "vigil.db")));
        Assert.Equal("services: []\n", await File.ReadAllTextAsync(Path.Combine(data, "vigil.yaml")));
    }

    [Fact]
    public async Task A_damaged_backup_is_refused_naming_the_file_and_nothing_is_written()
    {
        await File.WriteAllTextAsync(Path.Combine(backup, "vigil.db"), "tampered");
        var data = Path.Combine(work, "fresh");

        var refused = await SelfBackupTests.RunAsync("backup", "restore", backup, "--data", data);

        Assert.Equal(1, refused.Exit);
        Assert.Contains("vigil.db: checksum does not match the manifest", refused.Error);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task A_postgres_backup_needs_the_database_to_restore_into()
    {
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, "test", DateTimeOffset.UnixEpoch, "postgres", await BackupManifest.DescribeAsync(backup, CancellationToken.None));
        await manifest.WriteAsync(backup, CancellationToken.None);

        var refused = await SelfBackupTests.RunAsync("backup", "restore", backup, "--data", Path.Combine(work, "pg"), "--database", "");

        Assert.Equal(1, refused.Exit);
        Assert.Contains("--database (or VIGIL_DATABASE) must name the PostgreSQL database", refused.Error);
    }
}
