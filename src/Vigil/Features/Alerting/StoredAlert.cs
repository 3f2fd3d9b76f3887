using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;
using Vigil.Metrics;

namespace Vigil.Features.Alerting;

/// <summary>
/// An alert as the dispatcher knows it (Alertmanager's <c>types.Alert</c>), one row per label set
/// (its fingerprint), from every source. Kept in the state store, so nothing acknowledged to a
/// source is lost on a restart — where Alertmanager keeps them in memory only.
/// </summary>
[SqliteSortableTimes]
public sealed class StoredAlert
{
    public long Id { get; set; }
    /// <summary>Alertmanager's fingerprint of the label set (16 hex digits).</summary>
    public required string Fingerprint { get; set; }
    /// <summary>The labels as a JSON object.</summary>
    public required string LabelsJson { get; set; }
    public required string AnnotationsJson { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    /// <summary>True when <see cref="EndsAt"/> was set by the resolve timeout rather than by the source.</summary>
    public bool Timeout { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string GeneratorUrl { get; set; }
    public required string Source { get; set; }

    // Decoded once per text: a dispatcher pass reads an alert's labels for routing, muting, the
    // notification and garbage collection (bench/alerting/vs_alertmanager.py).
    private (string Json, Labels Value)? labels, annotations;

    public Labels Labels => Decoded(ref labels, LabelsJson);

    public Labels Annotations => Decoded(ref annotations, AnnotationsJson);

    private static Labels Decoded(ref (string Json, Labels Value)? cache, string json)
    {
        if (cache is not { } hit || !ReferenceEquals(hit.Json, json))
        {
            cache = hit = (json, Decode(json));
        }
        return hit.Value;
    }

    /// <summary>Resolved once its end time has passed (Alertmanager's <c>ResolvedAt(now)</c>).</summary>
    public bool IsResolvedAt(DateTimeOffset now) => EndsAt <= now;

    public static string Encode(Labels labels) =>
        JsonSerializer.Serialize(labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal));

    private static Labels Decode(string json) =>
        Labels.From(JsonSerializer.Deserialize<Dictionary<string, string>>(json)!.Select(kv => new Label(kv.Key, kv.Value)));
}

internal sealed class StoredAlertMapping : IEntityTypeConfiguration<StoredAlert>
{
    public void Configure(EntityTypeBuilder<StoredAlert> builder)
    {
        builder.ToTable("alerts");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.Fingerprint).IsUnique();
        builder.HasIndex(a => a.EndsAt);
        builder.Property(a => a.Fingerprint).HasMaxLength(16);
        builder.Property(a => a.Source).HasMaxLength(200);
        builder.Property(a => a.GeneratorUrl).HasMaxLength(2000);
        builder.Ignore(a => a.Labels);
        builder.Ignore(a => a.Annotations);
    }
}
