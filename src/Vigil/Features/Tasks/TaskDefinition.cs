using Vigil.Configuration;

namespace Vigil.Features.Tasks;

/// <summary>
/// A recurring operational task (<c>tasks:</c> in vigil.yaml, or <c>POST /api/tasks</c>): when it is
/// due (a cron expression or an RFC 5545 RRULE, in a time zone), who does it, what to check, and how
/// long after its due time it may wait before it is overdue and alerts.
/// </summary>
[ConfigKeyedByName]
public sealed class TaskDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Title { get; set; }
    /// <summary>A five-field cron expression (Cronos), e.g. <c>0 3 * * MON</c>.</summary>
    public string? Cron { get; set; }
    /// <summary>An RFC 5545 recurrence rule, e.g. <c>FREQ=MONTHLY;BYDAY=1TU</c>, counted from <see cref="Start"/>.</summary>
    public string? Rrule { get; set; }
    /// <summary>With <see cref="Rrule"/>: the first due time, local to <see cref="TimeZone"/> (<c>2026-11-02T03:00</c>).</summary>
    public string? Start { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public TaskAssigneeDefinition? Assignee { get; set; }
    public List<string> Checklist { get; set; } = [];
    /// <summary>A runbook to follow (by name); the overdue alert carries it as its <c>runbook</c> annotation.</summary>
    public string? Runbook { get; set; }
    /// <summary>How long after its due time a task may stay undone before it is overdue; default 1h.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Grace { get; set; }

    [ConfigIgnore]
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan GraceTime => Grace ?? TimeSpan.FromHours(1);
    /// <summary>The <c>severity</c> label of the overdue alert.</summary>
    public string Severity { get; set; } = "warning";
    /// <summary>More labels for the overdue alert, for routing (<c>team: dba</c>).</summary>
    public Dictionary<string, string> Labels { get; set; } = [];
}

/// <summary>Exactly one of: a user, everyone with a role, or whoever is on call on a schedule at the due time.</summary>
public sealed class TaskAssigneeDefinition
{
    public string? User { get; set; }
    public string? Role { get; set; }
    public string? Schedule { get; set; }

    public override string ToString() => User is not null ? $"user {User}" : Role is not null ? $"role {Role}" : $"on call of {Schedule}";
}
