using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Runbooks;

/// <summary>
/// A row of <c>runbook_versions</c>: one saved version of a runbook made through the API or console.
/// Versions are only added, never changed, so the history of a runbook is its rows by <see cref="Version"/>.
/// </summary>
[SqliteSortableTimes]
public sealed class StoredRunbookVersion
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public int Version { get; set; }
    public required string Markdown { get; set; }
    public string? Author { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class RunbookVersionMappings : IEntityTypeConfiguration<StoredRunbookVersion>
{
    public void Configure(EntityTypeBuilder<StoredRunbookVersion> builder)
    {
        builder.ToTable("runbook_versions");
        builder.HasIndex(v => new { v.Name, v.Version }).IsUnique();
        builder.Property(v => v.Name).HasMaxLength(63);
        builder.Property(v => v.Author).HasMaxLength(200);
    }
}
