using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

/// <summary>A status page as stored: its slug and host name as columns, the whole definition as JSON.</summary>
public sealed class StoredStatusPage
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Host { get; set; }
    public string DefinitionJson { get; set; } = "{}";
    public ObjectOrigin Origin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    private static JsonSerializerOptions Json => Vigil.Data.DefinitionJson.Options;

    public StatusPageDefinition Definition() => JsonSerializer.Deserialize<StatusPageDefinition>(DefinitionJson, Json)!;

    public void Apply(StatusPageDefinition d)
    {
        Name = d.Name!;
        Host = d.Host;
        DefinitionJson = JsonSerializer.Serialize(d, Json);
    }
}

internal sealed class StoredStatusPageMapping : IEntityTypeConfiguration<StoredStatusPage>
{
    public void Configure(EntityTypeBuilder<StoredStatusPage> builder)
    {
        builder.ToTable("status_pages");
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => p.Name).IsUnique();
        builder.HasIndex(p => p.Host).IsUnique();
        builder.Property(p => p.Name).HasMaxLength(63);
        builder.Property(p => p.Host).HasMaxLength(253);
        builder.Property(p => p.Origin).HasConversion<string>().HasMaxLength(16);
    }
}
