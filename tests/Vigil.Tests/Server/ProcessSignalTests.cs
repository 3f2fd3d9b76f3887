using System.Net.Http.Json;
using Vigil.Features.Catalog;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>vigil serve as an operator runs it: a separate process that gets signals.</summary>
public sealed class ProcessSignalTests : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"vigil-proc-{Guid.NewGuid():N}");
    private string ConfigPath => Path.Combine(directory, "vigil.yaml");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        return File.WriteAllTextAsync(ConfigPath, "services:\n  - name: api\n    tier: 1\n");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task<string> TiersAsync(ChildProcessServer server) =>
        string.Join(",", (await server.Http.GetFromJsonAsync<List<ServiceView>>("/api/services", TestServer.Json))!.Select(s => $"{s.Name}:{s.Tier}"));

    [Fact]
    public async Task Sighup_reloads_a_valid_config_and_keeps_the_old_one_when_the_new_one_is_invalid()
    {
        await using var server = new ChildProcessServer(Path.Combine(directory, "data"), ConfigPath);
        await server.StartAsync();
        Assert.Equal("api:1", await TiersAsync(server));

        await File.WriteAllTextAsync(ConfigPath, "services:\n  - name: api\n    tier: 2\n  - name: web\n");
        await server.SignalAsync("HUP");
        await server.WaitUntilAsync(async () => await TiersAsync(server) == "api:2,web:", TimeSpan.FromSeconds(10));

        await File.WriteAllTextAsync(ConfigPath, "services:\n  - name: api\n    tier: nine\n");
        await server.SignalAsync("HUP");
        await server.WaitUntilAsync(() => Task.FromResult(server.Log.Contains("Configuration rejected", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));

        Assert.Equal("api:2,web:", await TiersAsync(server));
        Assert.Contains("vigil.yaml:3:11: expected an integer, got \"nine\"", server.Log);
    }

    [Fact]
    public async Task Sigterm_shuts_down_gracefully_with_exit_code_0()
    {
        await using var server = new ChildProcessServer(Path.Combine(directory, "data"), ConfigPath);
        await server.StartAsync();

        await server.SignalAsync("TERM");

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task An_invalid_config_at_start_prints_every_error_and_exits_1()
    {
        await File.WriteAllTextAsync(ConfigPath, "services:\n  - name: api\n    tier: nine\n  - name: api\n");
        await using var server = new ChildProcessServer(Path.Combine(directory, "data"), ConfigPath);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync());

        Assert.Contains("exited with 1", failure.Message);
        Assert.Contains("vigil.yaml:3:11: expected an integer, got \"nine\"", server.Log);
        Assert.Contains("vigil.yaml:4:11: duplicate service name \"api\"", server.Log);
    }
}
