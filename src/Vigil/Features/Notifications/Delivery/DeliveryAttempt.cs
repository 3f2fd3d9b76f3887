using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;
using Vigil.Features.Notifications.Outbox;

namespace Vigil.Features.Notifications.Delivery;

/// <summary>One try at delivering an outbox message: when, how long, and what the receiver answered.</summary>
[SqliteSortableTimes]
public sealed class DeliveryAttempt
{
    public long Id { get; set; }
    public long MessageId { get; set; }
    public required string Channel { get; set; }
    public DateTimeOffset At { get; set; }
    public int DurationMs { get; set; }
    public bool Succeeded { get; set; }
    /// <summary>The HTTP status (or SMTP reply code); null when no answer came.</summary>
    public int? StatusCode { get; set; }
    /// <summary>The first kilobyte of the receiver's answer.</summary>
    public string? Response { get; set; }
    public string? Error { get; set; }
}

internal sealed class DeliveryAttemptMapping : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> builder)
    {
        builder.ToTable("notification_attempts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Channel).HasMaxLength(100);
        builder.Property(a => a.Response).HasMaxLength(ChannelResponseLimit);
        builder.Property(a => a.Error).HasMaxLength(2000);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.MessageId);
        builder.HasIndex(a => new { a.Channel, a.At });
    }

    /// <summary>A kilobyte of UTF-8 is at most 1024 characters.</summary>
    private const int ChannelResponseLimit = 1024;
}
