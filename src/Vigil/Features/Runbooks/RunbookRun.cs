using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Runbooks;

/// <summary>
/// A row of <c>runbook_runs</c>: one guided run of a runbook, alone, from an incident or from an
/// alert. It keeps the runbook as it was when the run started (its version and Markdown), so a
/// later edit changes neither its steps nor its history.
/// </summary>
[SqliteSortableTimes]
public sealed class RunbookRun
{
    public int Id { get; set; }
    public required string Runbook { get; set; }
    /// <summary>The API version the run started from; null for a runbook of the runbooks directory.</summary>
    public int? RunbookVersion { get; set; }
    public required string Title { get; set; }
    public RunbookRisk Risk { get; set; }
    /// <summary>The runbook's Markdown when the run started.</summary>
    public required string Markdown { get; set; }
    /// <summary>The incident (<c>INC-2026-001</c>) the run belongs to: each step goes to its timeline.</summary>
    public string? IncidentId { get; set; }
    /// <summary>The fingerprint of the alert the run was started from.</summary>
    public string? AlertFingerprint { get; set; }
    /// <summary>One of <see cref="RunStatus"/>.</summary>
    public string Status { get; set; } = RunStatus.Running;
    public required string StartedBy { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public string? FinishedBy { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Note { get; set; }
    public List<RunbookRunStep> Steps { get; set; } = [];
}

/// <summary>A row of <c>runbook_run_steps</c>: one step of a run, who ticked it and when, and its automated action's execution.</summary>
[SqliteSortableTimes]
public sealed class RunbookRunStep
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public int Number { get; set; }
    public required string Title { get; set; }
    public string? ExpectedResult { get; set; }
    public RunbookActionKind? ActionKind { get; set; }
    /// <summary>The command's name, or the URL of the HTTP call.</summary>
    public string? ActionTarget { get; set; }
    public string? ActionMethod { get; set; }
    /// <summary>One of <see cref="StepStatus"/>.</summary>
    public string Status { get; set; } = StepStatus.Pending;
    /// <summary>The note or pasted output given when the step was ticked.</summary>
    public string? Note { get; set; }
    public string? DoneBy { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
    /// <summary>Where the automated action stands: null (not asked), or one of <see cref="ExecutionState"/>.</summary>
    public string? Execution { get; set; }
    public string? RequestedBy { get; set; }
    public DateTimeOffset? RequestedAt { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    /// <summary>The HTTP status or the command's exit code; null when it could not run at all.</summary>
    public int? ExitCode { get; set; }
    /// <summary>The response body or the command's output, cut at <see cref="RunbookActions.OutputLimit"/> characters.</summary>
    public string? Output { get; set; }
    public DateTimeOffset? ExecutedAt { get; set; }
}

public static class RunStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Aborted = "aborted";
}

public static class StepStatus
{
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Skipped = "skipped";
}

/// <summary>An automated step: awaiting_approval (High risk) → running → succeeded or failed; each state is entered once.</summary>
public static class ExecutionState
{
    public const string AwaitingApproval = "awaiting_approval";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

internal sealed class RunbookRunMappings : IEntityTypeConfiguration<RunbookRun>, IEntityTypeConfiguration<RunbookRunStep>
{
    public void Configure(EntityTypeBuilder<RunbookRun> builder)
    {
        builder.ToTable("runbook_runs");
        builder.HasIndex(r => r.Runbook);
        builder.HasIndex(r => r.IncidentId);
        builder.Property(r => r.Runbook).HasMaxLength(63);
        builder.Property(r => r.Title).HasMaxLength(500);
        builder.Property(r => r.Risk).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.IncidentId).HasMaxLength(32);
        builder.Property(r => r.AlertFingerprint).HasMaxLength(32);
        builder.Property(r => r.Status).HasMaxLength(16);
        builder.Property(r => r.StartedBy).HasMaxLength(200);
        builder.Property(r => r.FinishedBy).HasMaxLength(200);
        builder.Property(r => r.Note).HasMaxLength(10_000);
        builder.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<RunbookRunStep> builder)
    {
        builder.ToTable("runbook_run_steps");
        builder.HasIndex(s => new { s.RunId, s.Number }).IsUnique();
        builder.Property(s => s.Title).HasMaxLength(500);
        builder.Property(s => s.ExpectedResult).HasMaxLength(2000);
        builder.Property(s => s.ActionKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.ActionTarget).HasMaxLength(2000);
        builder.Property(s => s.ActionMethod).HasMaxLength(16);
        builder.Property(s => s.Status).HasMaxLength(16);
        builder.Property(s => s.Note).HasMaxLength(RunbookRuns.NoteLimit);
        builder.Property(s => s.DoneBy).HasMaxLength(200);
        builder.Property(s => s.Execution).HasMaxLength(24);
        builder.Property(s => s.RequestedBy).HasMaxLength(200);
        builder.Property(s => s.ApprovedBy).HasMaxLength(200);
    }
}
