using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Tests.Support;

/// <summary>
/// A real Vigil server for one test: Kestrel on a free loopback port, its own data directory and
/// database (SQLite file, or a fresh database on the test run's PostgreSQL), a fake clock.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private TestServer(WebApplication app, string dataDirectory, FakeTimeProvider clock)
    {
        this.app = app;
        DataDirectory = dataDirectory;
        Clock = clock;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public string DataDirectory { get; }
    public FakeTimeProvider Clock { get; }
    public IServiceProvider Services => app.Services;

    public static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        VigilHost.ConfigureJson(json);
        json.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        return json;
    }

    /// <param name="database">null for SQLite in the data directory, or a <c>postgres://</c> URL.</param>
    /// <param name="configYaml">The vigil.yaml to start with, if any.</param>
    public static async Task<TestServer> StartAsync(string? database = null, string? configYaml = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"vigil-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        string? configPath = null;
        if (configYaml is not null)
        {
            configPath = Path.Combine(dataDirectory, "vigil.yaml");
            await File.WriteAllTextAsync(configPath, configYaml);
        }
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var options = new ServeOptions
        {
            DataDirectory = dataDirectory,
            Urls = "http://127.0.0.1:0",
            Database = database,
            ConfigPath = configPath,
            TimeProvider = clock,
        };
        var app = await VigilHost.StartAsync(options);
        return new TestServer(app, dataDirectory, clock);
    }

    /// <summary>Replaces the config file on disk (a reload picks it up).</summary>
    public Task WriteConfigAsync(string yaml) => File.WriteAllTextAsync(Path.Combine(DataDirectory, "vigil.yaml"), yaml);

    /// <summary>Runs a query against the server's own database, outside any request.</summary>
    public async Task<T> QueryAsync<T>(Func<VigilDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<VigilDbContext>());
    }

    public async Task<T> GetJsonAsync<T>(string path) =>
        (await Http.GetFromJsonAsync<T>(path, Json))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: left to the OS's temp cleanup.
        }
    }
}
