using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Cost;

/// <summary>
/// One imported billing file (or the part of it for one source): the lines of a source whose charge
/// period overlaps this one's are replaced by a new import, so importing a month again is idempotent.
/// </summary>
[SqliteSortableTimes]
public sealed class CostImport
{
    public long Id { get; set; }
    /// <summary>Who billed it: the <c>source</c> given with the import, else the file's providers (FOCUS <c>ProviderName</c>) or <c>simple</c>.</summary>
    public required string Source { get; set; }
    /// <summary><c>focus</c> or <c>simple</c>.</summary>
    public required string Format { get; set; }
    public string? FileName { get; set; }
    /// <summary>The earliest charge period start of its lines.</summary>
    public DateTimeOffset PeriodStart { get; set; }
    /// <summary>The latest charge period end of its lines (exclusive).</summary>
    public DateTimeOffset PeriodEnd { get; set; }
    public int Lines { get; set; }
    public decimal Total { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
    public string? ImportedBy { get; set; }
}

/// <summary>One charge: a FOCUS row, or one item of a simple monthly list (its month as the charge period).</summary>
[SqliteSortableTimes]
public sealed class CostLine
{
    /// <summary>The columns a <c>cost.mappings[].match</c> can name (FOCUS names; a simple list fills ProviderName and ServiceName with its provider and item).</summary>
    public static readonly IReadOnlyList<string> MatchColumns = ["ProviderName", "ServiceName", "ServiceCategory", "ResourceId", "ResourceName", "RegionName", "SubAccountName", "ChargeCategory"];

    public long Id { get; set; }
    public long ImportId { get; set; }
    /// <summary>Line in the file, for people tracing a figure back to its row.</summary>
    public int FileLine { get; set; }
    public DateTimeOffset ChargePeriodStart { get; set; }
    public DateTimeOffset ChargePeriodEnd { get; set; }
    public decimal BilledCost { get; set; }
    public required string BillingCurrency { get; set; }
    public string? ProviderName { get; set; }
    public required string ServiceName { get; set; }
    public string? ServiceCategory { get; set; }
    public string? ResourceId { get; set; }
    public string? ResourceName { get; set; }
    public string? RegionName { get; set; }
    public string? SubAccountName { get; set; }
    public string? ChargeCategory { get; set; }
    /// <summary>FOCUS <c>Tags</c>: a JSON object of string values, or null.</summary>
    public string? Tags { get; set; }

    public string? Column(string name) => name switch
    {
        "ProviderName" => ProviderName,
        "ServiceName" => ServiceName,
        "ServiceCategory" => ServiceCategory,
        "ResourceId" => ResourceId,
        "ResourceName" => ResourceName,
        "RegionName" => RegionName,
        "SubAccountName" => SubAccountName,
        "ChargeCategory" => ChargeCategory,
        _ => null,
    };
}

internal sealed class CostImportMapping : IEntityTypeConfiguration<CostImport>
{
    public void Configure(EntityTypeBuilder<CostImport> b)
    {
        b.ToTable("cost_imports");
        b.HasKey(i => i.Id);
        b.Property(i => i.Source).HasMaxLength(200);
        b.Property(i => i.Format).HasMaxLength(16);
        b.Property(i => i.FileName).HasMaxLength(500);
        b.Property(i => i.ImportedBy).HasMaxLength(200);
        b.Property(i => i.Total).HasPrecision(18, 6);
        b.HasIndex(i => new { i.Source, i.PeriodStart });
    }
}

internal sealed class CostLineMapping : IEntityTypeConfiguration<CostLine>
{
    public void Configure(EntityTypeBuilder<CostLine> b)
    {
        b.ToTable("cost_lines");
        b.HasKey(l => l.Id);
        b.HasOne<CostImport>().WithMany().HasForeignKey(l => l.ImportId).OnDelete(DeleteBehavior.Cascade);
        b.Property(l => l.BilledCost).HasPrecision(18, 6);
        b.Property(l => l.BillingCurrency).HasMaxLength(3);
        b.Property(l => l.ProviderName).HasMaxLength(200);
        b.Property(l => l.ServiceName).HasMaxLength(200);
        b.Property(l => l.ServiceCategory).HasMaxLength(200);
        b.Property(l => l.ResourceId).HasMaxLength(1000);
        b.Property(l => l.ResourceName).HasMaxLength(500);
        b.Property(l => l.RegionName).HasMaxLength(200);
        b.Property(l => l.SubAccountName).HasMaxLength(500);
        b.Property(l => l.ChargeCategory).HasMaxLength(64);
        b.HasIndex(l => new { l.ChargePeriodStart, l.ChargePeriodEnd });
    }
}
