using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;
using Vigil.Features.Notifications.Delivery;
using Vigil.Metrics;

namespace Vigil.Features.Notifications.Outbox;

/// <summary>
/// One notification to one channel, waiting for or past delivery. Written in the same transaction
/// as the state change that caused it (see <see cref="NotificationOutbox.Enqueue"/>), so a crash
/// can neither lose it nor send it for a change that never committed.
/// </summary>
[SqliteSortableTimes]
public sealed class OutboxMessage
{
    public long Id { get; set; }
    /// <summary>The channel's name (<c>channels[].name</c>).</summary>
    public required string Channel { get; set; }
    /// <summary>The same key for every attempt and every retry of this notification; sent to receivers that dedupe on it.</summary>
    public required string IdempotencyKey { get; set; }
    /// <summary>The aggregation group it is for (<see cref="NotificationGroup.GroupKey"/>).</summary>
    public required string GroupKey { get; set; }
    /// <summary>The group as <see cref="NotificationRequest"/> JSON: everything a channel renders from.</summary>
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When to try (again); null once delivered or given up.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    public OutboxStatus Status { get; set; }
    /// <summary>How many attempts were made (see <c>notification_attempts</c>).</summary>
    public int Attempts { get; set; }
    /// <summary>Why the last attempt failed; null after a success.</summary>
    public string? LastError { get; set; }
    /// <summary>When the receiver accepted it.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>
    /// What <see cref="Payload"/> holds, as the writer of the message built it: not stored. A message
    /// handed to the sender in the same process is sent from it without reading the JSON back (~4 %
    /// of the alert path's allocations); one read from the store has none.
    /// </summary>
    public NotificationRequest? Request { get; set; }
}

public enum OutboxStatus
{
    Pending,
    Delivered,
    /// <summary>Given up: the retry deadline passed without a successful attempt.</summary>
    Failed,
    /// <summary>Not sent on purpose: a resolved notification to a channel with <c>send_resolved: false</c>.</summary>
    Skipped,
}

internal sealed class OutboxMessageMapping : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("notification_outbox");
        builder.HasKey(m => m.Id);
        builder.Ignore(m => m.Request);
        builder.Property(m => m.Channel).HasMaxLength(100);
        builder.Property(m => m.IdempotencyKey).HasMaxLength(200);
        builder.Property(m => m.GroupKey).HasMaxLength(2000);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.LastError).HasMaxLength(2000);
        builder.HasIndex(m => new { m.Channel, m.CreatedAt });
        builder.HasIndex(m => m.IdempotencyKey).IsUnique();
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
    }
}

/// <summary>A notification as stored in the outbox: the group's data, enough to rebuild a <see cref="NotificationGroup"/>.</summary>
public sealed record NotificationRequest(
    string Channel,
    string Receiver,
    string RouteKey,
    IReadOnlyDictionary<string, string> GroupLabels,
    IReadOnlyList<NotificationRequest.Alert> Alerts,
    string ExternalUrl,
    int TruncatedAlerts = 0)
{
    public sealed record Alert(
        AlertStatus Status,
        IReadOnlyDictionary<string, string> Labels,
        IReadOnlyDictionary<string, string> Annotations,
        DateTimeOffset StartsAt,
        DateTimeOffset? EndsAt,
        string GeneratorUrl);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static NotificationRequest For(string channel, NotificationGroup group, string routeKey) => new(
        channel, group.Receiver, routeKey, Map(group.GroupLabels),
        [.. group.Alerts.Select(a => new Alert(a.Status, Map(a.Labels), Map(a.Annotations), a.StartsAt, a.EndsAt, a.GeneratorUrl))],
        group.ExternalUrl, group.TruncatedAlerts);

    /// <summary>The group's key (<see cref="NotificationGroup.GroupKey"/>), without building the group.</summary>
    public string GroupKey => NotificationGroup.KeyOf(RouteKey, Of(GroupLabels));

    public NotificationGroup ToGroup() => new(
        Receiver, RouteKey, Of(GroupLabels),
        Alerts.Select(a => new NotifiedAlert(a.Status, Of(a.Labels), Of(a.Annotations), a.StartsAt, a.EndsAt, a.GeneratorUrl)),
        ExternalUrl, TruncatedAlerts);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static NotificationRequest FromJson(string json) => JsonSerializer.Deserialize<NotificationRequest>(json, Json)!;

    private static Dictionary<string, string> Map(Labels labels) => labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);

    private static Labels Of(IReadOnlyDictionary<string, string> map) => Labels.From(map.Select(kv => new Label(kv.Key, kv.Value)));
}

/// <summary>
/// Puts notifications in the outbox inside the caller's unit of work: the message is durable when
/// the caller's <c>SaveChangesAsync</c> commits, together with whatever state change caused it
/// (the dispatcher's notification log, a channel test). Delivery reads the outbox.
/// </summary>
public static class NotificationOutbox
{
    /// <param name="idempotencyKey">Stable for this notification: a second enqueue with the same key is a duplicate and must not be sent twice.</param>
    public static OutboxMessage Enqueue(VigilDbContext db, NotificationRequest request, string idempotencyKey, DateTimeOffset now)
    {
        var message = Message(request, idempotencyKey, now);
        db.Set<OutboxMessage>().Add(message);
        WakeSenderAfterCommit(db);
        return message;
    }

    /// <summary>The message <see cref="Enqueue"/> adds, for a caller that writes it itself (<see cref="DirectRows"/>) and hands it to the sender once committed.</summary>
    public static OutboxMessage Message(NotificationRequest request, string idempotencyKey, DateTimeOffset now) => new()
    {
        Channel = request.Channel,
        IdempotencyKey = idempotencyKey,
        GroupKey = request.GroupKey,
        Payload = request.ToJson(),
        Request = request,
        CreatedAt = now,
        NextAttemptAt = now,
        Status = OutboxStatus.Pending,
    };

    /// <summary>
    /// The sender looks at the outbox as soon as the caller's unit of work commits, whoever enqueued
    /// (an incident update, a page, a dispatch), instead of at its next poll: on a clock that does not
    /// move by itself the poll would never come.
    /// </summary>
    private static void WakeSenderAfterCommit(VigilDbContext db)
    {
        var services = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;
        if (services?.GetService<OutboxSender>() is { } sender)
        {
            AfterCommit.Add(db, sender.Wake);
        }
    }
}
