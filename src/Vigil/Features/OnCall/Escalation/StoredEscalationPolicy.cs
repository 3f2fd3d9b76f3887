using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Features.Catalog;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>An escalation policy as stored: its definition as written (JSON, the keys of <c>vigil.yaml</c>) and where it came from.</summary>
public sealed class StoredEscalationPolicy
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Definition { get; set; }
    public ObjectOrigin Origin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public EscalationPolicyDefinition ReadDefinition() => Read(Definition);

    public static EscalationPolicyDefinition Read(string json) => JsonSerializer.Deserialize<EscalationPolicyDefinition>(json, StoredSchedule.Json) ?? new();

    public static string Write(EscalationPolicyDefinition definition) => JsonSerializer.Serialize(definition, StoredSchedule.Json);
}

internal sealed class StoredEscalationPolicyMapping : IEntityTypeConfiguration<StoredEscalationPolicy>
{
    public void Configure(EntityTypeBuilder<StoredEscalationPolicy> builder)
    {
        builder.ToTable("oncall_escalation_policies");
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => p.Name).IsUnique();
        builder.Property(p => p.Name).HasMaxLength(63);
        builder.Property(p => p.Origin).HasConversion<string>().HasMaxLength(16);
    }
}
