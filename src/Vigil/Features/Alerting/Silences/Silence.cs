using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;
using Vigil.Features.Alerting.Routing;

namespace Vigil.Features.Alerting.Silences;

public enum SilenceState
{
    Pending,
    Active,
    Expired,
}

/// <summary>
/// A silence (Alertmanager <c>silence/silence.go</c>): alerts whose labels match all its matchers
/// are not notified between <see cref="StartsAt"/> and <see cref="EndsAt"/>.
/// </summary>
[SqliteSortableTimes]
public sealed class Silence
{
    public long Id { get; set; }
    /// <summary>A UUID, as Alertmanager's silence ids.</summary>
    public required string SilenceId { get; set; }
    /// <summary>The matchers as written (<c>severity="critical"</c>), a JSON array.</summary>
    public required string MatchersJson { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string CreatedBy { get; set; }
    public required string Comment { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> MatcherTexts => JsonSerializer.Deserialize<List<string>>(MatchersJson)!;

    /// <summary>Alertmanager's <c>getState</c>: pending before its start, expired from its end.</summary>
    public SilenceState StateAt(DateTimeOffset now) =>
        now < StartsAt ? SilenceState.Pending : now >= EndsAt ? SilenceState.Expired : SilenceState.Active;

    public IReadOnlyList<Matcher> Matchers() => [.. MatcherTexts.Select(Matcher.Parse)];
}

internal sealed class SilenceMapping : IEntityTypeConfiguration<Silence>
{
    public void Configure(EntityTypeBuilder<Silence> builder)
    {
        builder.ToTable("silences");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.SilenceId).HasMaxLength(36);
        builder.HasIndex(s => s.SilenceId).IsUnique();
        builder.HasIndex(s => s.EndsAt);
        builder.Property(s => s.CreatedBy).HasMaxLength(200);
        builder.Property(s => s.Comment).HasMaxLength(2000);
        builder.Ignore(s => s.MatcherTexts);
    }
}
