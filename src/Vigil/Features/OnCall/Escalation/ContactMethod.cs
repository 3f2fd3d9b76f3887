using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// One way to reach a user when they are paged: an email address, a phone (SMS), a Slack incoming
/// webhook or a webhook URL. The address is kept through <see cref="Access.SecretProtector"/>
/// (webhook URLs are credentials; phone numbers are personal data).
/// </summary>
public sealed class ContactMethod
{
    public int Id { get; set; }
    /// <summary>The user's id in <c>access_users</c>.</summary>
    public int UserId { get; set; }
    /// <summary>email, sms, slack or webhook.</summary>
    public required string Type { get; set; }
    public required string ProtectedAddress { get; set; }
    public string? Label { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static readonly string[] Types = ["email", "sms", "slack", "webhook"];
}

/// <summary>A personal notification rule: when paged, notify through <see cref="ContactMethodId"/> <see cref="Delay"/> after the page (SMS at once, email after 2 minutes).</summary>
public sealed class NotificationRule
{
    public int Id { get; set; }
    public int UserId { get; set; }
    public int ContactMethodId { get; set; }
    public TimeSpan Delay { get; set; }
}

internal sealed class ContactMethodMapping : IEntityTypeConfiguration<ContactMethod>
{
    public void Configure(EntityTypeBuilder<ContactMethod> builder)
    {
        builder.ToTable("oncall_contact_methods");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Type).HasMaxLength(16);
        builder.Property(c => c.Label).HasMaxLength(100);
        builder.HasIndex(c => c.UserId);
        builder.HasOne<Access.User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationRuleMapping : IEntityTypeConfiguration<NotificationRule>
{
    public void Configure(EntityTypeBuilder<NotificationRule> builder)
    {
        builder.ToTable("oncall_notification_rules");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => r.UserId);
        builder.HasOne<ContactMethod>().WithMany().HasForeignKey(r => r.ContactMethodId).OnDelete(DeleteBehavior.Cascade);
    }
}
