using System.Diagnostics;
using Npgsql;

namespace Vigil.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server for the test run: <c>initdb</c> in a temporary directory and
/// <c>pg_ctl start</c> on a free loopback port, removed afterwards. PostgreSQL refuses to run as
/// root, so as root both run as the <c>postgres</c> user through <c>runuser</c>.
/// The server binaries come from Debian's <c>postgresql</c> package (scripts/test.sh installs it).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"vigil-pg-{Guid.NewGuid():N}");
    private string binaries = "";
    private string settings = "";
    private int databases;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        binaries = FindBinaries();
        Directory.CreateDirectory(directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", directory]);
        }
        var data = Path.Combine(directory, "data");
        await RunPostgresAsync(asRoot, "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        Port = LoopbackPorts.Free();
        settings = $"-p {Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await StartAsync();
    }

    /// <summary>Starts the server (again) on the same port and data.</summary>
    public Task StartAsync() =>
        RunPostgresAsync(Environment.UserName == "root", "pg_ctl", ["-D", Path.Combine(directory, "data"), "-o", settings, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start"]);

    /// <summary>
    /// Stops the server as an outage would (open connections are cut). Only for a server a test
    /// started for itself: the shared one serves every other test of the run.
    /// </summary>
    public Task StopAsync() =>
        RunPostgresAsync(Environment.UserName == "root", "pg_ctl", ["-D", Path.Combine(directory, "data"), "-m", "fast", "-w", "stop"]);

    /// <summary>A new, empty database for one test server, as a <c>postgres://</c> URL.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"vigil_test_{Interlocked.Increment(ref databases)}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return $"postgres://postgres@127.0.0.1:{Port}/{name}";
    }

    public async Task DisposeAsync()
    {
        if (Port != 0)
        {
            NpgsqlConnection.ClearAllPools();
            await RunPostgresAsync(Environment.UserName == "root", "pg_ctl", ["-D", Path.Combine(directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean with the rest of the temp directory.
        }
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin. Run scripts/test.sh, which installs Debian's postgresql package.");
    }

    private Task RunPostgresAsync(bool asRoot, string tool, string[] args) =>
        asRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(binaries, tool), .. args])
            : RunAsync(Path.Combine(binaries, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
