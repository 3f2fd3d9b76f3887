using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigil.Features.Cluster;

/// <summary>
/// A running replica (<c>vigil serve</c>) over this database. Its heartbeat is renewed every
/// TTL/3 on the database's clock; a member whose heartbeat is older than the TTL is gone and its
/// share of sharded work moves to the others.
/// </summary>
public sealed class ClusterMember
{
    /// <summary>Host name, process id and a random suffix: unique per start.</summary>
    public required string Id { get; set; }
    /// <summary>Where it listens (its first listen address).</summary>
    public required string Address { get; set; }
    public required string Version { get; set; }
    public DateTimeOffset Started { get; set; }
    public DateTimeOffset Heartbeat { get; set; }
}

/// <summary>
/// The right to run one singleton loop (<c>dispatch</c>, <c>rules/FILE/GROUP</c>, ...). At most one
/// replica holds it until <see cref="ExpiresAt"/> (the database's clock); <see cref="Token"/> grows
/// every time the holder changes, and a write made under an older token is refused.
/// </summary>
public sealed class Lease
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public long Token { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class ClusterMemberMapping : IEntityTypeConfiguration<ClusterMember>
{
    public void Configure(EntityTypeBuilder<ClusterMember> builder)
    {
        builder.ToTable("cluster_members");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).HasColumnName("id").HasMaxLength(200);
        builder.Property(m => m.Address).HasColumnName("address").HasMaxLength(500);
        builder.Property(m => m.Version).HasColumnName("version").HasMaxLength(100);
        builder.Property(m => m.Started).HasColumnName("started");
        builder.Property(m => m.Heartbeat).HasColumnName("heartbeat");
    }
}

internal sealed class LeaseMapping : IEntityTypeConfiguration<Lease>
{
    public void Configure(EntityTypeBuilder<Lease> builder)
    {
        builder.ToTable("leases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasColumnName("name").HasMaxLength(500);
        builder.Property(l => l.Holder).HasColumnName("holder").HasMaxLength(200);
        builder.Property(l => l.Token).HasColumnName("token");
        builder.Property(l => l.ExpiresAt).HasColumnName("expires_at");
    }
}
