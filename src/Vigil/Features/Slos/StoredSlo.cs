using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.Slos;

/// <summary>A row of <c>slos</c>: an SLO of <c>vigil.yaml</c> (read-only through the API) or one made through the API.</summary>
public sealed class StoredSlo
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Service { get; set; }
    public ObjectOrigin Origin { get; set; }
    /// <summary>The <see cref="SloDefinition"/> as JSON, as validated.</summary>
    public string DefinitionJson { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    private static JsonSerializerOptions Json => Vigil.Data.DefinitionJson.Options;

    public SloDefinition Definition() => JsonSerializer.Deserialize<SloDefinition>(DefinitionJson, Json)!;

    public Slo ToSlo() => Slo.From(Definition(), Origin);

    public void Apply(SloDefinition d)
    {
        Name = d.Name!;
        Service = d.Service!;
        DefinitionJson = JsonSerializer.Serialize(d, Json);
    }
}

internal sealed class SloMappings : IEntityTypeConfiguration<StoredSlo>
{
    public void Configure(EntityTypeBuilder<StoredSlo> builder)
    {
        builder.ToTable("slos");
        builder.HasIndex(s => s.Name).IsUnique();
        builder.HasIndex(s => s.Service);
        builder.Property(s => s.Name).HasMaxLength(63);
        builder.Property(s => s.Service).HasMaxLength(63);
        builder.Property(s => s.Origin).HasConversion<string>().HasMaxLength(16);
    }
}
