using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Evaluation;

/// <summary>
/// One change of a rule alert's state (pending, firing, resolved, or inactive when a pending
/// alert cleared before firing), kept so the console can show when an alert became active,
/// fired and resolved, across restarts.
/// </summary>
[SqliteSortableTimes]
public sealed class AlertStateChange
{
    public long Id { get; set; }
    public required string GroupName { get; set; }
    public required string RuleName { get; set; }
    /// <summary>The fingerprint of the alert's labels (<see cref="Notifications.AlertFingerprint"/>).</summary>
    public required string Fingerprint { get; set; }
    public required string LabelsJson { get; set; }
    public required string State { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>The changes between two phases of each alert of a rule, at one evaluation.</summary>
    public static IEnumerable<AlertStateChange> Between(RuleGroup group, AlertState state, IReadOnlyDictionary<Labels, AlertPhase> before, DateTimeOffset at)
    {
        foreach (var alert in state.Alerts)
        {
            var was = before.GetValueOrDefault(alert.Labels, AlertPhase.Inactive);
            if (alert.Phase != was)
            {
                yield return New(group, state.Rule, alert.Labels, alert.Phase switch
                {
                    AlertPhase.Pending => "pending",
                    AlertPhase.Firing => "firing",
                    _ => "resolved",
                }, at);
            }
        }
        var now = state.Alerts.Select(a => a.Labels).ToHashSet();
        foreach (var (labels, phase) in before.Where(b => b.Value == AlertPhase.Pending && !now.Contains(b.Key)))
        {
            yield return New(group, state.Rule, labels, "inactive", at);
        }
    }

    private static AlertStateChange New(RuleGroup group, Rule rule, Labels labels, string state, DateTimeOffset at) => new()
    {
        GroupName = group.Name,
        RuleName = rule.Name,
        Fingerprint = Notifications.AlertFingerprint.Of(labels),
        LabelsJson = StoredAlert.Encode(labels),
        State = state,
        At = at,
    };
}

internal sealed class AlertStateChangeMapping : IEntityTypeConfiguration<AlertStateChange>
{
    public void Configure(EntityTypeBuilder<AlertStateChange> builder)
    {
        builder.ToTable("alert_state_changes");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.Fingerprint, c.At });
        builder.HasIndex(c => c.At);
        builder.Property(c => c.GroupName).HasMaxLength(500);
        builder.Property(c => c.RuleName).HasMaxLength(500);
        builder.Property(c => c.Fingerprint).HasMaxLength(16);
        builder.Property(c => c.State).HasMaxLength(16);
    }
}
