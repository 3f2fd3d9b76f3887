using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Features.Server;

namespace Vigil.Features.Cluster;

/// <summary>
/// <c>GET /api/system/cluster</c> and the System page's Replicas and Leases tables: who is in the
/// cluster, who holds which loop, under which fencing token and for how long, judged on the
/// database's clock as the leases themselves are (docs/ha.md).
/// </summary>
public sealed class ReadCluster(ClusterMembership membership, ProcessClock process) : ISystemSection
{
    public sealed record Replica(string Id, string Address, string Version, DateTimeOffset Started, DateTimeOffset Heartbeat, bool Alive, bool Self);
    /// <param name="ExpiresAt">Null on SQLite: one process holds every lease for as long as it runs.</param>
    public sealed record HeldLease(string Name, string Holder, long Token, DateTimeOffset? ExpiresAt, bool Valid);
    public sealed record Cluster(string Replica, bool SingleProcess, double LeaseTtlSeconds, DateTimeOffset CheckedAt, IReadOnlyList<Replica> Replicas, IReadOnlyList<HeldLease> Leases);

    public static async Task<Ok<Cluster>> Handle(ReadCluster read, CancellationToken cancellationToken) => TypedResults.Ok(await read.ReadAsync(cancellationToken));

    public int Order => 10;

    public async Task<Cluster> ReadAsync(CancellationToken cancellationToken)
    {
        var snapshot = await membership.ReadAsync(process.StartedAt, cancellationToken);
        var ttl = membership.Ttl;
        return new Cluster(
            membership.MemberId,
            membership.SingleProcess,
            ttl.TotalSeconds,
            snapshot.Now,
            [.. snapshot.Members.Select(m => new Replica(m.Id, m.Address, m.Version, m.Started, m.Heartbeat, snapshot.Now - m.Heartbeat < ttl, m.Id == membership.MemberId))],
            [.. snapshot.Leases.Select(l => new HeldLease(l.Name, l.Holder, l.Token, l.ExpiresAt == DateTimeOffset.MaxValue ? null : l.ExpiresAt, l.ExpiresAt > snapshot.Now))]);
    }

    async Task<IReadOnlyList<SystemTable>> ISystemSection.ReadAsync(CancellationToken cancellationToken)
    {
        var cluster = await ReadAsync(cancellationToken);
        string Ago(DateTimeOffset at) => Math.Max(0, (cluster.CheckedAt - at).TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture) + " s ago";
        var replicas = new SystemTable("replicas", "Replicas",
            cluster.SingleProcess
                ? "One process over SQLite: this replica is the whole cluster and runs every loop. Replicas share work over PostgreSQL."
                : $"Every `vigil serve` over this database. A replica whose heartbeat is older than the lease TTL ({cluster.LeaseTtlSeconds:0.#} s) is gone, and its loops and share of monitors and scrapes move to the others.",
            ["Replica", "Address", "Version", "Started", "Last heartbeat"],
            [.. cluster.Replicas.Select(r => new SystemRow(
                [r.Self ? $"{r.Id} (this replica)" : r.Id, r.Address, r.Version, r.Started.ToString("u", CultureInfo.InvariantCulture), Ago(r.Heartbeat)],
                r.Alive ? "up" : "down", r.Alive ? "alive" : "gone"))]);
        var leases = new SystemTable("leases", "Leases",
            "Each singleton loop runs only on the replica holding its lease. The fencing token grows whenever the holder changes; a write under an older token is refused by the database.",
            ["Loop", "Holder", "Token", "Expires"],
            [.. cluster.Leases.Select(l => new SystemRow(
                [l.Name, l.Holder == cluster.Replica ? $"{l.Holder} (this replica)" : l.Holder, l.Token.ToString(CultureInfo.InvariantCulture),
                    l.ExpiresAt is { } at ? (at > cluster.CheckedAt ? $"in {(at - cluster.CheckedAt).TotalSeconds:0.0} s" : $"expired {Ago(at)}") : "held while this process runs"],
                l.Valid ? "up" : "down", l.Valid ? "held" : "free"))],
            "no loop has asked for a lease yet");
        return [replicas, leases];
    }
}
