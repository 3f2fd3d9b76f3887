using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Cluster;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cluster;

/// <summary>
/// Leases on a real PostgreSQL: two replicas (two <see cref="LeaseStore"/>s with their own ids over
/// one database) never both hold a lease, an expired lease moves with a higher fencing token, and a
/// write under a token that is no longer current is refused by the database. Expiry runs on the
/// database's clock, so the expiry test waits in real time (a lease of one second).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LeaseStoreTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private ServiceProvider services = null!;
    private LeaseStore first = null!;
    private LeaseStore second = null!;

    public async Task InitializeAsync()
    {
        var settings = DatabaseSettings.Parse(await postgres.CreateDatabaseAsync(), Path.GetTempPath());
        services = new ServiceCollection().AddLogging().AddVigilData(settings).BuildServiceProvider();
        await DataModule.MigrateAsync(services, CancellationToken.None);
        first = new LeaseStore(settings, "replica-a");
        second = new LeaseStore(settings, "replica-b");
    }

    public async Task DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
        await services.DisposeAsync();
    }

    [Fact]
    public async Task Two_replicas_racing_for_a_lease_never_both_hold_it()
    {
        for (var round = 0; round < 40; round++)
        {
            var name = $"race/{round}";
            var a = first.AcquireAsync(name, Ttl, TimeSpan.Zero, CancellationToken.None);
            var b = second.AcquireAsync(name, Ttl, TimeSpan.Zero, CancellationToken.None);
            var (tokenA, tokenB) = (await a, await b);
            Assert.True(tokenA is null ^ tokenB is null, $"round {round}: a={tokenA}, b={tokenB}");
            Assert.Equal(1, tokenA ?? tokenB);
        }
    }

    [Fact]
    public async Task The_holder_renews_with_the_same_token_and_the_other_replica_is_refused()
    {
        Assert.Equal(1, await first.AcquireAsync("dispatch", Ttl, TimeSpan.Zero, CancellationToken.None));
        Assert.Null(await second.AcquireAsync("dispatch", Ttl, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(1, await first.AcquireAsync("dispatch", Ttl, TimeSpan.Zero, CancellationToken.None));
        Assert.True(await first.IsCurrentAsync("dispatch", 1, CancellationToken.None));
        Assert.False(await second.IsCurrentAsync("dispatch", 1, CancellationToken.None));
    }

    [Fact]
    public async Task An_expired_lease_moves_to_the_other_replica_with_a_higher_token()
    {
        Assert.Equal(1, await first.AcquireAsync("escalation", TimeSpan.FromSeconds(1), TimeSpan.Zero, CancellationToken.None));
        Assert.Null(await second.AcquireAsync("escalation", Ttl, TimeSpan.Zero, CancellationToken.None));
        var token = await EventuallyAcquireAsync(second, "escalation", TimeSpan.Zero);
        Assert.Equal(2, token);
        Assert.False(await first.IsCurrentAsync("escalation", 1, CancellationToken.None));
        Assert.Null(await first.AcquireAsync("escalation", Ttl, TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once_by_another_replica()
    {
        Assert.Equal(1, await first.AcquireAsync("outbox", Ttl, TimeSpan.Zero, CancellationToken.None));
        await first.ReleaseAsync("outbox", 1, CancellationToken.None);
        Assert.Equal(2, await second.AcquireAsync("outbox", Ttl, TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task A_replica_that_is_not_the_preferred_holder_waits_a_whole_patience_before_taking_a_free_lease()
    {
        Assert.Equal(1, await first.AcquireAsync("rules/a.yml/g", TimeSpan.FromMilliseconds(200), TimeSpan.Zero, CancellationToken.None));
        await first.ReleaseAsync("rules/a.yml/g", 1, CancellationToken.None);
        Assert.Null(await second.AcquireAsync("rules/a.yml/g", Ttl, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(2, await second.AcquireAsync("rules/a.yml/g", Ttl, TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task A_write_under_a_stale_token_is_refused_and_nothing_of_it_is_committed()
    {
        Assert.Equal(1, await first.AcquireAsync("dispatch", TimeSpan.FromSeconds(1), TimeSpan.Zero, CancellationToken.None));
        var stale = new LeaseGrant("dispatch", 1, "replica-a");
        await WriteUnderAsync(stale, "written-while-current");
        var current = new LeaseGrant("dispatch", await EventuallyAcquireAsync(second, "dispatch", TimeSpan.Zero), "replica-b");

        var refused = await Assert.ThrowsAsync<LeaseLostException>(() => WriteUnderAsync(stale, "written-after-the-lease-moved"));
        Assert.Equal("dispatch", refused.Grant.Name);
        await WriteUnderAsync(current, "written-by-the-new-holder");

        await using var scope = services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<VigilDbContext>().Set<ClusterMember>().Select(m => m.Id).OrderBy(id => id).ToListAsync();
        Assert.Equal(["written-by-the-new-holder", "written-while-current"], rows);
    }

    [Fact]
    public async Task Members_are_live_while_their_heartbeat_is_younger_than_the_ttl()
    {
        await first.HeartbeatAsync("http://127.0.0.1:1", "test", CancellationToken.None);
        await second.HeartbeatAsync("http://127.0.0.1:2", "test", CancellationToken.None);
        Assert.Equal(["replica-a", "replica-b"], await first.LiveMembersAsync(Ttl, CancellationToken.None));
        await second.LeaveAsync(TimeSpan.FromDays(1), CancellationToken.None);
        Assert.Equal(["replica-a"], await first.LiveMembersAsync(Ttl, CancellationToken.None));
    }

    [Fact]
    public async Task On_sqlite_every_lease_is_held_by_the_one_process()
    {
        await using var store = new LeaseStore(DatabaseSettings.Parse(null, Path.GetTempPath()), "only");
        Assert.True(store.SingleProcess);
        Assert.Equal(1, await store.AcquireAsync("dispatch", Ttl, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(["only"], await store.LiveMembersAsync(Ttl, CancellationToken.None));
    }

    private async Task WriteUnderAsync(LeaseGrant grant, string row)
    {
        using var fence = LeaseFence.Enter(grant);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        db.Add(new ClusterMember { Id = row, Address = "", Version = "", Started = DateTimeOffset.UnixEpoch, Heartbeat = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
    }

    /// <summary>Tries until the database's clock has passed the holder's expiry (a few hundred milliseconds).</summary>
    private static async Task<long> EventuallyAcquireAsync(LeaseStore store, string name, TimeSpan patience)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromSeconds(10))
        {
            if (await store.AcquireAsync(name, Ttl, patience, CancellationToken.None) is { } token)
            {
                return token;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
        throw new TimeoutException($"lease {name} never became free");
    }
}
