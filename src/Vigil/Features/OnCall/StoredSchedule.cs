using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.OnCall;

/// <summary>
/// A schedule as stored: its definition as written (JSON, the same keys as <c>vigil.yaml</c>),
/// where it came from, and the hash of its calendar feed token. Config schedules are written here
/// on start and reload, so the API and console read one table.
/// </summary>
public sealed class StoredSchedule
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Definition { get; set; }
    public ObjectOrigin Origin { get; set; }
    /// <summary>SHA-256 (hex) of the secret in the schedule's calendar feed URL; null until one is made.</summary>
    public string? FeedTokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public ScheduleDefinition ReadDefinition() => JsonSerializer.Deserialize<ScheduleDefinition>(Definition, Json) ?? new();

    public static string Write(ScheduleDefinition definition) => JsonSerializer.Serialize(definition, Json);
}

/// <summary>An override added through the API or console (config overrides live in the definition).</summary>
[SqliteSortableTimes]
public sealed class StoredOverride
{
    public int Id { get; set; }
    public required string Schedule { get; set; }
    public required string User { get; set; }
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class StoredScheduleMapping : IEntityTypeConfiguration<StoredSchedule>
{
    public void Configure(EntityTypeBuilder<StoredSchedule> builder)
    {
        builder.ToTable("oncall_schedules");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.Name).IsUnique();
        builder.Property(s => s.Name).HasMaxLength(63);
        builder.Property(s => s.Origin).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.FeedTokenHash).HasMaxLength(64);
    }
}

internal sealed class StoredOverrideMapping : IEntityTypeConfiguration<StoredOverride>
{
    public void Configure(EntityTypeBuilder<StoredOverride> builder)
    {
        builder.ToTable("oncall_overrides");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Schedule).HasMaxLength(63);
        builder.Property(o => o.User).HasMaxLength(128);
        builder.Property(o => o.CreatedBy).HasMaxLength(128);
        builder.HasIndex(o => new { o.Schedule, o.End });
        builder.HasIndex(o => o.User);
    }
}
