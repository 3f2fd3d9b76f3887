using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Server;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// A damaged SQLite state database, as an operator meets it: garbage in its header stops
/// <c>vigil serve</c> with one line naming the file and how to restore, not a stack trace; damage
/// in its middle found while running turns readiness and the API to 503 naming the damage instead
/// of "healthy" while every write fails.
/// </summary>
public sealed class DamagedDatabaseTests : IDisposable
{
    private readonly string data = Path.Combine(Path.GetTempPath(), $"vigil-damaged-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Garbage_in_the_header_stops_serve_with_one_line_naming_the_file_and_the_restore()
    {
        Directory.CreateDirectory(data);
        var file = Path.Combine(data, "vigil.db");
        await File.WriteAllBytesAsync(file, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7))]);

        var (exit, output) = await Cli.FirstStartCliTests.RunVigilAsync("serve", "--urls", $"http://127.0.0.1:{LoopbackPorts.Free()}", "--data", data);

        Assert.NotEqual(0, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(file, line);
        Assert.Contains("damaged", line);
        Assert.Contains("vigil backup restore", line);
        Assert.DoesNotContain("   at ", line);
    }

    [Fact]
    public async Task Damage_in_the_middle_found_while_running_makes_the_replica_not_ready_and_the_api_answer_503()
    {
        await using var server = await TestServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/health/ready")).StatusCode);
        var file = Path.Combine(server.DataDirectory, "vigil.db");
        await server.QueryAsync(db => db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // Every page but the first (the header and the schema) overwritten, as a failing disk might.
        var bytes = await File.ReadAllBytesAsync(file);
        var pageSize = (bytes[16] << 8) | bytes[17];
        for (var i = pageSize; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 13);
        }
        await File.WriteAllBytesAsync(file, bytes);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var answer = await server.Http.GetAsync("/api/services");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("restore", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        Assert.NotNull(server.Services.GetRequiredService<DatabaseDamageWatch>().Found);
        server.Clock.Advance(GetReadiness.CacheFor);
        var ready = await server.Anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var problem = Assert.Single((await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems").EnumerateArray());
        Assert.Equal("database", problem.GetProperty("component").GetString());
        Assert.Contains("damage", problem.GetProperty("reason").GetString());
        var health = await server.Services.GetServices<IHealthContributor>().Single(c => c is DatabaseHealth).CheckAsync(CancellationToken.None);
        Assert.Equal(HealthLevel.Unhealthy, health.Level);
        Assert.Equal("damaged", health.Status);
    }
}
