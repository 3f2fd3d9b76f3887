using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// An aggregation group (Alertmanager <c>dispatch/dispatch.go</c> <c>aggrGroup</c>): the alerts one
/// route collects under one set of group labels, and its timer. Kept in the state store so a
/// restart keeps the timers; its alerts are worked out again from <c>alerts</c> on every pass.
/// </summary>
[SqliteSortableTimes]
public sealed class AlertGroup
{
    public long Id { get; set; }
    /// <summary>The route's unique id in the tree at the time the group was made.</summary>
    public required string RouteId { get; set; }
    /// <summary>Alertmanager's group key, <c>{}/{severity="critical"}:{alertname="X"}</c>.</summary>
    public required string GroupKey { get; set; }
    public required string Receiver { get; set; }
    public required string GroupLabelsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the group is flushed next: group_wait after creation, then every group_interval.</summary>
    public DateTimeOffset NextFlushAt { get; set; }
    public DateTimeOffset? LastFlushAt { get; set; }
    /// <summary>The route's <c>open_incident</c> flag when the group was last flushed.</summary>
    public bool OpenIncident { get; set; }
}

internal sealed class AlertGroupMapping : IEntityTypeConfiguration<AlertGroup>
{
    public void Configure(EntityTypeBuilder<AlertGroup> builder)
    {
        builder.ToTable("alert_groups");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.RouteId).HasMaxLength(1000);
        builder.Property(g => g.GroupKey).HasMaxLength(2000);
        builder.Property(g => g.Receiver).HasMaxLength(100);
        builder.HasIndex(g => new { g.RouteId, g.GroupLabelsJson }).IsUnique();
        builder.HasIndex(g => g.NextFlushAt);
    }
}

/// <summary>
/// What a receiver was last told about a group: Alertmanager's notification log entry (<c>nflog</c>,
/// keyed by receiver and group key), here in the state store and written in the same transaction
/// as the outbox message, so a notification is neither lost nor repeated across a restart.
/// </summary>
[SqliteSortableTimes]
public sealed class NotificationLogEntry
{
    public long Id { get; set; }
    public required string Receiver { get; set; }
    public required string GroupKey { get; set; }
    /// <summary>Fingerprints of the alerts notified as firing, as a JSON array.</summary>
    public required string FiringJson { get; set; }
    public required string ResolvedJson { get; set; }
    /// <summary>When the last notification was made.</summary>
    public DateTimeOffset Timestamp { get; set; }
    /// <summary>
    /// Part of the idempotency key: the time of the entry's first notification in Unix milliseconds,
    /// plus one for every notification since, so no two notifications of a group share a key, even
    /// across an expired entry.
    /// </summary>
    public long Sequence { get; set; }
    /// <summary>Alertmanager keeps nflog entries for <c>--data.retention</c> (120h) after the last notification.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public IReadOnlySet<string> Firing => System.Text.Json.JsonSerializer.Deserialize<HashSet<string>>(FiringJson)!;

    public IReadOnlySet<string> Resolved => System.Text.Json.JsonSerializer.Deserialize<HashSet<string>>(ResolvedJson)!;
}

internal sealed class NotificationLogEntryMapping : IEntityTypeConfiguration<NotificationLogEntry>
{
    public void Configure(EntityTypeBuilder<NotificationLogEntry> builder)
    {
        builder.ToTable("notification_log");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Receiver).HasMaxLength(100);
        builder.Property(e => e.GroupKey).HasMaxLength(2000);
        builder.HasIndex(e => new { e.Receiver, e.GroupKey }).IsUnique();
        builder.HasIndex(e => e.ExpiresAt);
        builder.Ignore(e => e.Firing);
        builder.Ignore(e => e.Resolved);
    }
}

/// <summary>One line of an alert's history: received, notified (to which receiver, why), resolved, muted.</summary>
[SqliteSortableTimes]
public sealed class AlertEvent
{
    public long Id { get; set; }
    public required string Fingerprint { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary><c>received</c>, <c>notified</c>, <c>resolved</c>.</summary>
    public required string Kind { get; set; }
    /// <summary>Firing or resolved at that moment.</summary>
    public required string Status { get; set; }
    public string? Receiver { get; set; }
    public string? Detail { get; set; }
}

internal sealed class AlertEventMapping : IEntityTypeConfiguration<AlertEvent>
{
    public void Configure(EntityTypeBuilder<AlertEvent> builder)
    {
        builder.ToTable("alert_history");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Fingerprint).HasMaxLength(16);
        builder.Property(e => e.Kind).HasMaxLength(16);
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.Property(e => e.Receiver).HasMaxLength(100);
        builder.Property(e => e.Detail).HasMaxLength(2000);
        builder.HasIndex(e => new { e.Fingerprint, e.At });
    }
}
