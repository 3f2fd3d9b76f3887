using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// One subject escalating through a policy (a page): where it stands, when it escalates next,
/// who acknowledged and resolved it. The policy is copied in when the page starts, so editing the
/// policy does not change a page already under way. The escalation loop works from these rows
/// alone, so a restart picks up where it stopped.
/// </summary>
[SqliteSortableTimes]
public sealed class StoredPage
{
    public long Id { get; set; }
    /// <summary><see cref="PageRequest.Subject"/>: at most one page per subject is open (not resolved) at a time.</summary>
    public required string Subject { get; set; }
    /// <summary>A random key naming this page in its links and its outbox messages (a subject can be paged again after it was resolved).</summary>
    public required string Key { get; set; }
    public required string Policy { get; set; }
    /// <summary>The policy as it was when the page started (JSON).</summary>
    public required string PolicyDefinition { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public string? Severity { get; set; }
    public string? Service { get; set; }
    public string? Link { get; set; }
    public PageStatus Status { get; set; }
    /// <summary>0-based index of the level paged last.</summary>
    public int Level { get; set; }
    /// <summary>0 on the first pass through the levels, 1 on the first repeat, ...</summary>
    public int Cycle { get; set; }
    /// <summary>When the next level is due (or the policy repeats or is exhausted); null when nothing more will happen on its own.</summary>
    public DateTimeOffset? NextEscalationAt { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    /// <summary>Changed by every write, so an acknowledgement and an escalation that race cannot both win.</summary>
    public int Version { get; set; }

    public EscalationPolicyDefinition ReadPolicy() => StoredEscalationPolicy.Read(PolicyDefinition);
}

public enum PageStatus
{
    Triggered,
    Acknowledged,
    Resolved,
    /// <summary>Every level and repeat was paged and nobody acknowledged; it stays open until acknowledged or resolved.</summary>
    Exhausted,
}

internal sealed class StoredPageMapping : IEntityTypeConfiguration<StoredPage>
{
    public void Configure(EntityTypeBuilder<StoredPage> builder)
    {
        builder.ToTable("oncall_pages");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Subject).HasMaxLength(200);
        builder.Property(p => p.Key).HasMaxLength(32);
        builder.HasIndex(p => p.Key).IsUnique();
        builder.Property(p => p.Policy).HasMaxLength(63);
        builder.Property(p => p.Title).HasMaxLength(500);
        builder.Property(p => p.Severity).HasMaxLength(32);
        builder.Property(p => p.Service).HasMaxLength(100);
        builder.Property(p => p.Link).HasMaxLength(2000);
        builder.Property(p => p.AcknowledgedBy).HasMaxLength(200);
        builder.Property(p => p.ResolvedBy).HasMaxLength(200);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => new { p.Subject, p.Status });
        builder.HasIndex(p => p.NextEscalationAt);
    }
}
