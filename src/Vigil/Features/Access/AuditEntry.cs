using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// One change or security event, in the seeds' audit-log schema: id, user, action, resource,
/// resource id, IP address, user agent, metadata (JSON), created at. <see cref="Username"/> is the
/// actor's name at the time (a pseudonym once the user is erased), so entries read on their own.
/// </summary>
[SqliteSortableTimes]
public sealed class AuditEntry
{
    /// <summary>Increasing in the order entries were written (the seeds use a UUID; a sequence also orders entries written in the same instant).</summary>
    public long Id { get; set; }
    public int? UserId { get; set; }
    public string? Username { get; set; }
    /// <summary>What happened: <c>create</c>, <c>update</c>, <c>delete</c>, <c>sign_in</c>, <c>sign_in_failed</c>, <c>lock</c>, <c>revoke</c>, ...</summary>
    public required string Action { get; set; }
    /// <summary>What kind of thing it happened to: <c>service</c>, <c>session</c>, <c>user</c>, <c>api_token</c>, <c>config</c>, ...</summary>
    public required string Resource { get; set; }
    public string? ResourceId { get; set; }
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
    /// <summary>A JSON object with details of the change; <c>{}</c> when there are none.</summary>
    public string Metadata { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class AuditEntryMapping : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("access_audit_log");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.Resource).HasMaxLength(100);
        builder.Property(e => e.ResourceId).HasMaxLength(200);
        builder.Property(e => e.Username).HasMaxLength(100);
        builder.Property(e => e.IpAddress).HasMaxLength(64);
        builder.HasIndex(e => e.CreatedAt);
        builder.HasIndex(e => new { e.UserId, e.CreatedAt });
    }
}
