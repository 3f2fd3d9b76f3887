using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cluster;

/// <summary>
/// <c>GET /api/system/cluster</c> (and the System page built from it): the replicas over one
/// database and the lease each loop runs under, as the database sees them. Leases and heartbeats
/// run on the database's clock, so the replica tests wait in real time (TTL 2 s).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterStatusTests(PostgresServer postgres)
{
    private static readonly TimeSpan Bound = Patience.Of(TimeSpan.FromSeconds(10));

    private const string Config = """
        cluster:
          lease_ttl: 2s
        services:
          - name: web
        """;

    private static Task<JsonElement> ClusterAsync(TestServer server) => server.GetJsonAsync<JsonElement>("/api/system/cluster");

    private static async Task<JsonElement> EventuallyAsync(TestServer server, Func<JsonElement, bool> condition)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var cluster = await ClusterAsync(server);
            if (condition(cluster))
            {
                return cluster;
            }
            Assert.True(TimeProvider.System.GetElapsedTime(started) < Bound, $"not within {Bound}: {cluster}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        }
    }

    private static IEnumerable<JsonElement> Replicas(JsonElement cluster) => cluster.GetProperty("replicas").EnumerateArray();

    private static IEnumerable<JsonElement> Leases(JsonElement cluster) => cluster.GetProperty("leases").EnumerateArray();

    private static JsonElement? Lease(JsonElement cluster, string name) =>
        Leases(cluster).Where(l => l.GetProperty("name").GetString() == name).Select(l => (JsonElement?)l).FirstOrDefault();

    [Fact]
    public async Task Two_replicas_each_see_both_alive_and_one_holder_per_lease_and_a_stopped_one_hands_its_leases_over()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var one = await TestServer.StartAsync(database, Config);
        var two = await TestServer.StartAsync(database, Config);
        string idOne, idTwo;
        try
        {
            var seen = await EventuallyAsync(one, c => Replicas(c).Count(r => r.GetProperty("alive").GetBoolean()) == 2 && Lease(c, "dispatch") is { } l && l.GetProperty("valid").GetBoolean());
            idOne = seen.GetProperty("replica").GetString()!;
            Assert.False(seen.GetProperty("single_process").GetBoolean());
            Assert.Equal(2, seen.GetProperty("lease_ttl_seconds").GetDouble());
            Assert.Equal(idOne, Replicas(seen).Single(r => r.GetProperty("self").GetBoolean()).GetProperty("id").GetString());

            var fromTwo = await ClusterAsync(two);
            idTwo = fromTwo.GetProperty("replica").GetString()!;
            Assert.NotEqual(idOne, idTwo);
            Assert.Equal(idTwo, Replicas(fromTwo).Single(r => r.GetProperty("self").GetBoolean()).GetProperty("id").GetString());
            Assert.Equal(new[] { idOne, idTwo }.Order(StringComparer.Ordinal), Replicas(fromTwo).Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));

            // Every lease has exactly one row and a live replica (or none yet) behind each valid one.
            var names = Leases(seen).Select(l => l.GetProperty("name").GetString()).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            Assert.All(Leases(seen).Where(l => l.GetProperty("valid").GetBoolean()), l =>
            {
                Assert.Contains(l.GetProperty("holder").GetString(), new[] { idOne, idTwo });
                Assert.True(l.GetProperty("token").GetInt64() >= 1);
                Assert.True(l.GetProperty("expires_at").GetDateTimeOffset() > seen.GetProperty("checked_at").GetDateTimeOffset());
            });
        }
        finally
        {
            await two.DisposeAsync();
        }

        // A clean stop releases the leases and leaves the membership: the survivor runs every loop alone.
        var after = await EventuallyAsync(one, c =>
            Replicas(c).All(r => r.GetProperty("id").GetString() != idTwo) &&
            Leases(c).Where(l => l.GetProperty("valid").GetBoolean()).All(l => l.GetProperty("holder").GetString() == idOne) &&
            Lease(c, "dispatch") is { } d && d.GetProperty("valid").GetBoolean());
        Assert.Equal(idOne, Assert.Single(Replicas(after)).GetProperty("id").GetString());
    }

    [Fact]
    public async Task One_process_over_sqlite_is_the_whole_cluster_and_holds_its_leases_for_as_long_as_it_runs()
    {
        await using var server = await TestServer.StartAsync(configYaml: Config);

        var cluster = await EventuallyAsync(server, c => Lease(c, "dispatch") is not null);

        Assert.True(cluster.GetProperty("single_process").GetBoolean());
        var self = Assert.Single(Replicas(cluster));
        Assert.True(self.GetProperty("self").GetBoolean());
        Assert.True(self.GetProperty("alive").GetBoolean());
        Assert.Equal(cluster.GetProperty("replica").GetString(), self.GetProperty("id").GetString());
        var dispatch = Lease(cluster, "dispatch")!.Value;
        Assert.Equal(self.GetProperty("id").GetString(), dispatch.GetProperty("holder").GetString());
        Assert.Equal(JsonValueKind.Null, dispatch.GetProperty("expires_at").ValueKind);
        Assert.True(dispatch.GetProperty("valid").GetBoolean());
    }
}
