using System.Collections.Concurrent;
using Vigil.Configuration;
using Vigil.Hosting;

namespace Vigil.Features.Cluster;

/// <summary>
/// This replica in the cluster: it registers itself in <c>cluster_members</c>, renews its heartbeat
/// and the leases its loops want every TTL/3, and answers a loop's "may I run this tick?"
/// (<see cref="HoldAsync"/>). Leases expire on the database's clock, so their renewal and their
/// validity here are measured in real time, whatever clock the loops run on.
/// </summary>
public sealed class ClusterMembership(LeaseStore store, ServeOptions serve, ILogger<ClusterMembership> logger) : BackgroundService, IConfigConsumer, Server.IReplicaDirectory
{
    private static readonly TimeProvider RealTime = TimeProvider.System;
    private readonly ConcurrentDictionary<string, (long Token, long At)> held = new(StringComparer.Ordinal);
    /// <summary>The leases loops asked for, and whether each is spread over the replicas (<see cref="RendezvousHash"/>).</summary>
    private readonly ConcurrentDictionary<string, bool> wanted = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<string> members = [store.MemberId];

    public string MemberId => store.MemberId;

    public TimeSpan Ttl { get; private set; } = new ClusterSettings().LeaseTtl;

    /// <summary>Raised when the live members change (a replica joined or is gone): sharded work is split again.</summary>
    public event Action? MembersChanged;

    /// <summary>The live members as of the last heartbeat (this one included), sorted.</summary>
    public IReadOnlyList<string> Members => members;

    public bool SingleProcess => store.SingleProcess;

    /// <summary>Where this replica listens: its first listen address.</summary>
    private string Address => serve.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    /// <summary>Whether this replica does the sharded work keyed <paramref name="key"/> (a monitor, a scrape target).</summary>
    public async Task<int> OthersAliveAsync(VigilConfig config, CancellationToken cancellationToken) =>
        store.SingleProcess ? 0 : (await store.LiveMembersAsync(config.Cluster.LeaseTtl, cancellationToken)).Count(m => !string.Equals(m, store.MemberId, StringComparison.Ordinal));

    public bool Owns(string key) => store.SingleProcess || RendezvousHash.OwnerOf(key, members) == store.MemberId;

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        Ttl = config.Cluster.LeaseTtl;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The lease <paramref name="name"/> if this replica holds it (taking it when it is free), or null:
    /// then the loop does nothing this tick. A <paramref name="spread"/> lease is taken at once only by
    /// its preferred replica (<see cref="RendezvousHash"/> over the members); another takes it after it
    /// has been free for a whole TTL, that is when the preferred one is gone.
    /// </summary>
    public async Task<LeaseGrant?> HoldAsync(string name, CancellationToken cancellationToken, bool spread = false)
    {
        wanted[name] = spread;
        if (store.SingleProcess)
        {
            return new LeaseGrant(name, 1, store.MemberId);
        }
        if (held.TryGetValue(name, out var grant) && RealTime.GetElapsedTime(grant.At) < Ttl / 3)
        {
            return new LeaseGrant(name, grant.Token, store.MemberId, Ttl);
        }
        return await AcquireAsync(name, spread, cancellationToken);
    }

    /// <summary>
    /// A pass of a singleton loop (<see cref="Hosting.TimedLoop"/>) that runs only while this replica
    /// holds <paramref name="lease"/>, its writes fenced by it. Over several replicas a pass comes at
    /// least every TTL/3, on the holder because work may have been written by another replica (which
    /// does not wake this one), on the others to take the lease over when its holder is gone.
    /// </summary>
    public Func<CancellationToken, Task<TimeSpan>> UnderLease(string lease, Func<CancellationToken, Task<TimeSpan>> pass) => async token =>
    {
        if (await HoldAsync(lease, token) is not { } grant)
        {
            return Ttl / 3;
        }
        TimeSpan sleep;
        using (LeaseFence.Enter(grant))
        {
            sleep = await pass(token);
        }
        return store.SingleProcess || sleep < Ttl / 3 ? sleep : Ttl / 3;
    };

    /// <summary>
    /// A singleton loop that runs <paramref name="pass"/> every <paramref name="every"/> (a one-shot
    /// delay on the injected clock after each pass, so a clock that jumps runs one pass, not one per
    /// missed period) while this replica holds <paramref name="lease"/>; a failed pass is logged with
    /// <paramref name="failure"/> and tried again at the next one.
    /// </summary>
    public Task RunEveryAsync(string lease, TimeSpan every, Func<CancellationToken, Task> pass, TimeProvider clock, ILogger logger, string failure, CancellationToken stoppingToken) =>
        Hosting.TimedLoop.RunAsync(
            async token =>
            {
                await RunUnderLeaseAsync(lease, pass, token);
                return every;
            },
            null, every, clock, logger, failure, stoppingToken);

    /// <summary>Runs one pass of a singleton loop if this replica holds <paramref name="lease"/>, its writes fenced by it.</summary>
    /// <returns>Whether it ran (false: another replica holds the lease, nothing was done).</returns>
    public async Task<bool> RunUnderLeaseAsync(string lease, Func<CancellationToken, Task> pass, CancellationToken token)
    {
        if (await HoldAsync(lease, token) is not { } grant)
        {
            return false;
        }
        using (LeaseFence.Enter(grant))
        {
            await pass(token);
        }
        return true;
    }

    /// <summary>After a write was refused by the fence: the lease is gone, ask the database again next time.</summary>
    public void Forget(string name) => held.TryRemove(name, out _);

    private async Task<LeaseGrant?> AcquireAsync(string name, bool spread, CancellationToken cancellationToken)
    {
        var at = RealTime.GetTimestamp();
        long? token;
        try
        {
            var patience = spread && RendezvousHash.OwnerOf(name, members) != store.MemberId ? Ttl : TimeSpan.Zero;
            token = await store.AcquireAsync(name, Ttl, patience, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not renew lease {Lease}: {Error}", name, e.Message);
            token = null;
        }
        var had = held.TryGetValue(name, out var previous);
        if (token is { } t)
        {
            held[name] = (t, at);
            if (!had || previous.Token != t)
            {
                logger.LogInformation("Replica {Member} holds lease {Lease} (token {Token})", store.MemberId, name, t);
            }
            return new LeaseGrant(name, t, store.MemberId, Ttl);
        }
        if (had && held.TryRemove(name, out _))
        {
            logger.LogWarning("Replica {Member} lost lease {Lease}", store.MemberId, name);
        }
        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store.SingleProcess)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.HeartbeatAsync(Address, Server.ProcessClock.Version, stoppingToken);
                var live = await store.LiveMembersAsync(Ttl, stoppingToken);
                if (!live.SequenceEqual(members, StringComparer.Ordinal))
                {
                    logger.LogInformation("Cluster members: {Members}", string.Join(", ", live));
                    members = live;
                    MembersChanged?.Invoke();
                }
                foreach (var (name, spread) in wanted)
                {
                    if (spread && held.TryGetValue(name, out var grant) && RendezvousHash.OwnerOf(name, members) != store.MemberId)
                    {
                        // Another live replica is this lease's preferred holder (it joined): hand it over.
                        held.TryRemove(name, out _);
                        await store.ReleaseAsync(name, grant.Token, stoppingToken);
                        logger.LogInformation("Replica {Member} hands lease {Lease} to its preferred replica", store.MemberId, name);
                        continue;
                    }
                    await AcquireAsync(name, spread, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Cluster heartbeat failed: {Error}", e.Message);
            }
            try
            {
                await Task.Delay(Ttl / 3, RealTime, stoppingToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// The members and leases as the database sees them, for the console and <c>/api/system/cluster</c>.
    /// One process over SQLite is the only member and holds every lease its loops asked for, for good.
    /// </summary>
    public async Task<ClusterSnapshot> ReadAsync(DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        if (store.SingleProcess)
        {
            var now = RealTime.GetUtcNow();
            return new ClusterSnapshot(now,
                [new ClusterMember { Id = store.MemberId, Address = Address, Version = Server.ProcessClock.Version, Started = startedAt, Heartbeat = now }],
                [.. wanted.Keys.Order(StringComparer.Ordinal).Select(name => new Lease { Name = name, Holder = store.MemberId, Token = 1, ExpiresAt = DateTimeOffset.MaxValue })]);
        }
        return await store.SnapshotAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (store.SingleProcess)
        {
            return;
        }
        // A clean stop hands every lease over at once instead of after the TTL.
        try
        {
            foreach (var (name, grant) in held)
            {
                await store.ReleaseAsync(name, grant.Token, cancellationToken);
            }
            held.Clear();
            await store.LeaveAsync(TimeSpan.FromDays(1), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not hand the leases over at shutdown: {Error}", e.Message);
        }
    }
}
