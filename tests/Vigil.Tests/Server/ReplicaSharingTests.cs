using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Features.Server;
using Vigil.Features.StatusPage;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// Two replicas on one PostgreSQL database, each with its own data directory and config file: a
/// configuration reload and a status-page change on one reach the other.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaSharingTests(PostgresServer postgres)
{
    private const string First = """
        services:
          - name: web
        """;

    private const string Second = """
        services:
          - name: web
          - name: api
        """;

    private static async Task<JsonElement> ConfigStateAsync(TestServer server) =>
        (await server.GetJsonAsync<JsonElement>("/api/system/info")).GetProperty("config");

    [Fact]
    public async Task A_reload_on_one_replica_reloads_the_others_from_their_own_files()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var one = await TestServer.StartAsync(database, First);
        await using var two = await TestServer.StartAsync(database, First);
        Assert.True((await ConfigStateAsync(two)).GetProperty("in_sync").GetBoolean());

        // The operator ships the new file to every replica, then reloads one of them.
        await one.WriteConfigAsync(Second);
        await two.WriteConfigAsync(Second);
        Assert.Equal(HttpStatusCode.OK, (await one.Http.PostAsync("/-/reload", null)).StatusCode);
        var before = await ConfigStateAsync(two);
        await two.Services.GetRequiredService<ShareConfigReloads>().PollOnceAsync(CancellationToken.None);

        var published = await ConfigStateAsync(one);
        var after = await ConfigStateAsync(two);
        Assert.NotEqual(published.GetProperty("fingerprint").GetString(), before.GetProperty("fingerprint").GetString());
        Assert.Equal(published.GetProperty("fingerprint").GetString(), after.GetProperty("fingerprint").GetString());
        Assert.True(after.GetProperty("in_sync").GetBoolean());
        Assert.Equal(published.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_replica_started_with_another_file_reports_the_mismatch_and_does_not_win_until_reloaded()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var one = await TestServer.StartAsync(database, First);
        await using var two = await TestServer.StartAsync(database, Second);

        var onOne = await ConfigStateAsync(one);
        var onTwo = await ConfigStateAsync(two);
        Assert.True(onOne.GetProperty("in_sync").GetBoolean());
        Assert.False(onTwo.GetProperty("in_sync").GetBoolean());
        Assert.Equal(onOne.GetProperty("fingerprint").GetString(), onTwo.GetProperty("published_fingerprint").GetString());
        Assert.Contains("vigil_config_mismatch", await two.Http.GetStringAsync("/metrics"));
        // Starting last did not make its file win: the service only it defines was not written.
        Assert.Equal(["web"], await ServiceNamesAsync(one));
        Assert.Equal(["web"], await ServiceNamesAsync(two));

        // Reloading the second replica is the documented way for its file to win: now the first differs.
        Assert.Equal(HttpStatusCode.OK, (await two.Http.PostAsync("/-/reload", null)).StatusCode);
        await one.Services.GetRequiredService<ShareConfigReloads>().PollOnceAsync(CancellationToken.None);

        Assert.True((await ConfigStateAsync(two)).GetProperty("in_sync").GetBoolean());
        Assert.False((await ConfigStateAsync(one)).GetProperty("in_sync").GetBoolean());
        // The first reloaded its own (older) file when told of the reload, and did not undo it.
        Assert.Equal(["api", "web"], await ServiceNamesAsync(one));
    }

    [Fact]
    public async Task A_replica_that_starts_alone_with_an_edited_file_publishes_it()
    {
        var database = await postgres.CreateDatabaseAsync();
        await (await TestServer.StartAsync(database, First)).DisposeAsync();

        await using var edited = await TestServer.StartAsync(database, Second);

        Assert.True((await ConfigStateAsync(edited)).GetProperty("in_sync").GetBoolean());
        Assert.Equal(["api", "web"], await ServiceNamesAsync(edited));
    }

    private static async Task<string[]> ServiceNamesAsync(TestServer server) =>
        [.. (await server.GetJsonAsync<JsonElement>("/api/services")).EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_status_page_change_on_one_replica_drops_the_cached_page_on_the_other()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var one = await TestServer.StartAsync(database, First);
        await using var two = await TestServer.StartAsync(database, First);
        var created = await one.Http.PostAsync("/api/status-pages", Json("""{"name": "public", "title": "Acme status", "components": [{"name": "Web", "services": ["web"]}]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await one.Services.GetRequiredService<ShareStatusChanges>().SyncOnceAsync(CancellationToken.None);
        await two.Services.GetRequiredService<ShareStatusChanges>().SyncOnceAsync(CancellationToken.None);
        Assert.Contains("Acme status", await two.Anonymous.GetStringAsync("/status/public"));

        var updated = await one.Http.PutAsync("/api/status-pages/public", Json("""{"title": "Acme systems", "components": [{"name": "Web", "services": ["web"]}]}"""));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        await one.Services.GetRequiredService<ShareStatusChanges>().SyncOnceAsync(CancellationToken.None);
        // The second replica still serves its cached rendering until it reads the shared version.
        Assert.Contains("Acme status", await two.Anonymous.GetStringAsync("/status/public"));

        await two.Services.GetRequiredService<ShareStatusChanges>().SyncOnceAsync(CancellationToken.None);

        Assert.Contains("Acme systems", await two.Anonymous.GetStringAsync("/status/public"));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
