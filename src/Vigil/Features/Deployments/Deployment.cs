using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Deployments;

/// <summary>One deployment of a version of a service to an environment, and where it stands.</summary>
[SqliteSortableTimes]
public sealed class Deployment
{
    public int Id { get; set; }
    public required string Service { get; set; }
    public required string Environment { get; set; }
    public required string Version { get; set; }
    /// <summary>What ran before: given by the deployer, else the version of the last succeeded deployment there.</summary>
    public string? PreviousVersion { get; set; }
    /// <summary>One of <see cref="DeploymentStrategy"/>.</summary>
    public string Strategy { get; set; } = DeploymentStrategy.Rolling;
    /// <summary>One of <see cref="DeploymentStatus"/>.</summary>
    public string Status { get; set; } = DeploymentStatus.Pending;
    /// <summary>Who recorded it: the user (also for their API tokens), or the CI integration's name.</summary>
    public required string DeployedBy { get; set; }
    /// <summary>The API token it was recorded with, if any (audit: a leaked token can be traced).</summary>
    public int? TokenId { get; set; }
    public string? Commit { get; set; }
    public string? Description { get; set; }
    public List<string> Links { get; set; } = [];
    /// <summary>api, or the CI integration that reported it (<c>webhook:NAME</c>).</summary>
    public string Source { get; set; } = "api";
    /// <summary>The CI system's identity of the deployment (GitHub's <c>deployment.id</c>), so a replayed delivery records nothing new.</summary>
    public string? ExternalId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The version a rollback returned to (the previous version unless the operator named one).</summary>
    public string? RolledBackTo { get; set; }
    public List<DeploymentTransition> Transitions { get; set; } = [];
    /// <summary>The environment's gates ticked so far, each with its evidence.</summary>
    public List<GateTick> GateTicks { get; set; } = [];
    /// <summary>Who approved the deployment, when the environment requires approval.</summary>
    public string? ApprovedBy { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    /// <summary>Why it started during a change freeze, and who said so.</summary>
    public string? FreezeOverrideReason { get; set; }
    public string? FreezeOverriddenBy { get; set; }
}

/// <summary>One gate of the environment's checklist ticked, with a link or note as evidence.</summary>
public sealed class GateTick
{
    public required string Gate { get; set; }
    public required string Evidence { get; set; }
    public required string TickedBy { get; set; }
    public DateTimeOffset TickedAt { get; set; }
}

/// <summary>One step of a deployment's lifecycle: from, to, when, by whom, and why.</summary>
[SqliteSortableTimes]
public sealed class DeploymentTransition
{
    public long Id { get; set; }
    public int DeploymentId { get; set; }
    /// <summary>Null for the first row (the deployment was recorded).</summary>
    public string? From { get; set; }
    public required string To { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public string? Note { get; set; }
}

internal sealed class DeploymentMappings : IEntityTypeConfiguration<Deployment>, IEntityTypeConfiguration<DeploymentTransition>
{
    public void Configure(EntityTypeBuilder<Deployment> builder)
    {
        builder.ToTable("deployments");
        builder.HasKey(d => d.Id);
        builder.HasIndex(d => new { d.Service, d.Environment, d.CreatedAt });
        builder.HasIndex(d => d.Status);
        builder.HasIndex(d => d.CreatedAt);
        builder.HasIndex(d => new { d.Source, d.ExternalId }).IsUnique();
        builder.Property(d => d.Service).HasMaxLength(63);
        builder.Property(d => d.Environment).HasMaxLength(63);
        builder.Property(d => d.Version).HasMaxLength(128);
        builder.Property(d => d.PreviousVersion).HasMaxLength(128);
        builder.Property(d => d.Strategy).HasMaxLength(16);
        builder.Property(d => d.Status).HasMaxLength(16);
        builder.Property(d => d.DeployedBy).HasMaxLength(128);
        builder.Property(d => d.Commit).HasMaxLength(64);
        builder.Property(d => d.Description).HasMaxLength(1000);
        builder.Property(d => d.Source).HasMaxLength(80);
        builder.Property(d => d.ExternalId).HasMaxLength(128);
        builder.Property(d => d.RolledBackTo).HasMaxLength(128);
        builder.Property(d => d.ApprovedBy).HasMaxLength(128);
        builder.Property(d => d.FreezeOverrideReason).HasMaxLength(1000);
        builder.Property(d => d.FreezeOverriddenBy).HasMaxLength(128);
        builder.OwnsMany(d => d.GateTicks, g =>
        {
            g.ToTable("deployment_gate_ticks");
            g.WithOwner().HasForeignKey("DeploymentId");
            g.Property<int>("Id");
            g.HasKey("Id");
            g.Property(x => x.Gate).HasMaxLength(63);
            g.Property(x => x.Evidence).HasMaxLength(1000);
            g.Property(x => x.TickedBy).HasMaxLength(128);
        });
        builder.HasMany(d => d.Transitions).WithOne().HasForeignKey(t => t.DeploymentId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<DeploymentTransition> builder)
    {
        builder.ToTable("deployment_transitions");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.From).HasMaxLength(16);
        builder.Property(t => t.To).HasMaxLength(16);
        builder.Property(t => t.Actor).HasMaxLength(128);
        builder.Property(t => t.Note).HasMaxLength(1000);
    }
}
