using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Configuration;

namespace Vigil.Features.Documents;

/// <summary>
/// A document that expires (issue 22, item 4): a certificate of compliance, a contract, a domain
/// registration. Under <c>documents:</c> in <c>vigil.yaml</c> (read-only) or through
/// <c>/api/documents</c> (stored as <see cref="StoredDocument"/>).
/// </summary>
public sealed class DocumentDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary><c>certificate</c>, <c>contract</c>, <c>domain</c> or <c>other</c> (default).</summary>
    public string? Kind { get; set; }
    /// <summary>Who renews it: a person or team, shown in the reminder.</summary>
    public string? Owner { get; set; }
    /// <summary>The catalog service it belongs to, if any: the reminder is labelled with it, so routing can send it to the service's team.</summary>
    public string? Service { get; set; }
    /// <summary>When it expires: a date (<c>2027-03-01</c>, midnight UTC) or an ISO 8601 time.</summary>
    [ConfigRequired]
    public string? ExpiresAt { get; set; }
    /// <summary>How long before expiry to remind, default <c>[90d, 30d, 7d]</c>.</summary>
    public List<TimeSpan>? Reminders { get; set; }
}

/// <summary>A checked document: where it came from (<c>config</c> or <c>api</c>) and its reminders, longest first.</summary>
public sealed record ExpiringDoc(string Name, string Kind, string? Owner, string? Service, DateTimeOffset ExpiresAt, IReadOnlyList<TimeSpan> Reminders, string Origin);

/// <summary>A document created through the API.</summary>
[Data.SqliteSortableTimes]
public sealed class StoredDocument
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public string? Owner { get; set; }
    public string? Service { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>The reminders as durations, comma-separated (<c>90d,30d,7d</c>).</summary>
    public required string Reminders { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public ExpiringDoc ToDoc() => new(Name, Kind, Owner, Service, ExpiresAt,
        [.. Reminders.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => Duration.TryParse(r, out var t) ? t : TimeSpan.Zero)], "api");

    public static string FormatReminders(IEnumerable<TimeSpan> reminders) => string.Join(',', reminders.Select(DocumentRules.FormatReminder));
}

internal sealed class StoredDocumentMapping : IEntityTypeConfiguration<StoredDocument>
{
    public void Configure(EntityTypeBuilder<StoredDocument> b)
    {
        b.ToTable("documents");
        b.HasKey(d => d.Id);
        b.Property(d => d.Name).HasMaxLength(200);
        b.HasIndex(d => d.Name).IsUnique();
        b.Property(d => d.Kind).HasMaxLength(32);
        b.Property(d => d.Owner).HasMaxLength(200);
        b.Property(d => d.Service).HasMaxLength(200);
        b.Property(d => d.Reminders).HasMaxLength(200);
    }
}

public static class DocumentRules
{
    public static readonly string[] Kinds = ["certificate", "contract", "domain", "other"];
    public static readonly TimeSpan[] DefaultReminders = [TimeSpan.FromDays(90), TimeSpan.FromDays(30), TimeSpan.FromDays(7)];

    public static IEnumerable<FieldError> ValidateConfig(VigilConfig config)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Documents.Count; i++)
        {
            var d = config.Documents[i];
            if (d.Name is not null && !names.Add(d.Name))
            {
                yield return new($"documents[{i}].name", $"duplicate document name \"{d.Name}\"");
            }
            foreach (var error in Validate(d, $"documents[{i}].", config.Services.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.Ordinal)))
            {
                yield return error;
            }
        }
    }

    public static IEnumerable<FieldError> Validate(DocumentDefinition d, string prefix, IReadOnlySet<string> services)
    {
        if (string.IsNullOrWhiteSpace(d.Name))
        {
            yield return new($"{prefix}name", "a name is required");
        }
        else if (d.Name.Length > 200)
        {
            yield return new($"{prefix}name", "at most 200 characters");
        }
        if (d.Kind is not null && !Kinds.Contains(d.Kind))
        {
            yield return new($"{prefix}kind", $"unknown kind \"{d.Kind}\": use one of {string.Join(", ", Kinds)}");
        }
        if (d.Owner is { Length: > 200 })
        {
            yield return new($"{prefix}owner", "at most 200 characters");
        }
        if (!string.IsNullOrWhiteSpace(d.Service) && !services.Contains(d.Service))
        {
            yield return new($"{prefix}service", $"unknown service \"{d.Service}\" (define it under services:)");
        }
        if (string.IsNullOrWhiteSpace(d.ExpiresAt))
        {
            yield return new($"{prefix}expires_at", "an expiry date is required, e.g. 2027-03-01");
        }
        else if (ParseExpiry(d.ExpiresAt) is null)
        {
            yield return new($"{prefix}expires_at", $"\"{d.ExpiresAt}\" is not a date (2027-03-01) or an ISO 8601 time");
        }
        if (d.Reminders is { } reminders)
        {
            if (reminders.Count is 0 or > 10)
            {
                yield return new($"{prefix}reminders", "give 1 to 10 reminders, e.g. [90d, 30d, 7d]");
            }
            else if (reminders.Any(r => r <= TimeSpan.Zero))
            {
                yield return new($"{prefix}reminders", "each reminder must be more than 0");
            }
            else if (reminders.Distinct().Count() != reminders.Count)
            {
                yield return new($"{prefix}reminders", "a reminder is listed twice");
            }
        }
    }

    /// <summary>A reminder as people write it: whole days as <c>90d</c> (not <c>12w6d</c>), else the Prometheus form.</summary>
    public static string FormatReminder(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerDay == 0 ? $"{value.Ticks / TimeSpan.TicksPerDay}d" : Duration.Format(value);

    /// <summary>A date (midnight UTC) or an ISO 8601 time with an offset.</summary>
    public static DateTimeOffset? ParseExpiry(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime()
        : null;

    /// <summary>The checked document; call only on a definition <see cref="Validate"/> accepted.</summary>
    public static ExpiringDoc Resolve(DocumentDefinition d, string origin) =>
        new(d.Name!, d.Kind ?? "other", d.Owner, string.IsNullOrWhiteSpace(d.Service) ? null : d.Service, ParseExpiry(d.ExpiresAt!)!.Value,
            [.. (d.Reminders ?? [.. DefaultReminders]).OrderDescending()], origin);
}
