using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Backups;

/// <summary>One backup (or verification, or restore drill) a job reported for a policy: the catalog of backups.</summary>
[SqliteSortableTimes]
public sealed class BackupReport
{
    public long Id { get; set; }
    public required string Policy { get; set; }
    /// <summary>A backup kind of the policy, <c>verification</c>, or <c>restore</c> (a restore drill).</summary>
    public required string Kind { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public long? SizeBytes { get; set; }
    public string? Checksum { get; set; }
    public string? Location { get; set; }
    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public required string Status { get; set; }
    public string? Log { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>How it arrived: <c>api</c> (and the CLI) or <c>ping</c>.</summary>
    public required string Source { get; set; }
}

internal sealed class BackupReportMapping : IEntityTypeConfiguration<BackupReport>
{
    public void Configure(EntityTypeBuilder<BackupReport> b)
    {
        b.ToTable("backup_reports");
        b.HasKey(r => r.Id);
        b.Property(r => r.Policy).HasMaxLength(200);
        b.Property(r => r.Kind).HasMaxLength(32);
        b.Property(r => r.Status).HasMaxLength(16);
        b.Property(r => r.Checksum).HasMaxLength(200);
        b.Property(r => r.Location).HasMaxLength(2000);
        b.Property(r => r.Source).HasMaxLength(16);
        b.HasIndex(r => new { r.Policy, r.Kind, r.FinishedAt });
    }
}
