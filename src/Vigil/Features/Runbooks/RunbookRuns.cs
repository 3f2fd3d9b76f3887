using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting;
using Vigil.Features.Incidents;

namespace Vigil.Features.Runbooks;

/// <summary>The result of a run use case: the run it changed, or why nothing changed.</summary>
public sealed record RunOutcome(RunbookRun? Run, int Status, string? Field = null, string? Reason = null)
{
    public static RunOutcome Done(RunbookRun run) => new(run, StatusCodes.Status200OK);

    public static RunOutcome Missing(string reason) => new(null, StatusCodes.Status404NotFound, null, reason);

    public static RunOutcome Invalid(string field, string reason) => new(null, StatusCodes.Status400BadRequest, field, reason);

    public static RunOutcome Forbidden(string field, string reason) => new(null, StatusCodes.Status403Forbidden, field, reason);

    /// <summary>Well formed, but the run or step is not in a state that allows it.</summary>
    public static RunOutcome Conflict(string field, string reason) => new(null, StatusCodes.Status409Conflict, field, reason);

    public bool Succeeded => Run is not null;

    public string Message => Field is null ? Reason ?? "" : $"{Field}: {Reason}";

    public IResult ToResult(bool created = false) => Status switch
    {
        StatusCodes.Status200OK when created => TypedResults.Created($"/api/runbook-runs/{Run!.Id}", RunView.From(Run)),
        StatusCodes.Status200OK => TypedResults.Ok(RunView.From(Run!)),
        StatusCodes.Status404NotFound => Hosting.Problems.NotFound(Reason!),
        StatusCodes.Status400BadRequest => Hosting.Problems.Field(Field!, Reason!),
        StatusCodes.Status403Forbidden => Hosting.Problems.Forbidden(Field!, Reason!),
        _ => Hosting.Problems.StateConflict(Field!, Reason!),
    };
}

public sealed record RunActionView(RunbookActionKind Kind, string Target, string? Method);

public sealed record RunStepView(
    int Number, string Title, string? ExpectedResult, RunActionView? Action, string Status, string? Note, string? DoneBy, DateTimeOffset? DoneAt,
    string? Execution, string? RequestedBy, DateTimeOffset? RequestedAt, string? ApprovedBy, DateTimeOffset? ApprovedAt,
    int? ExitCode, string? Output, DateTimeOffset? ExecutedAt);

public sealed record RunView(
    int Id, string Runbook, int? RunbookVersion, string Title, RunbookRisk Risk, string? IncidentId, string? Alert, string Status,
    string StartedBy, DateTimeOffset StartedAt, string? FinishedBy, DateTimeOffset? FinishedAt, string? Note, string Url, IReadOnlyList<RunStepView> Steps)
{
    public static RunView From(RunbookRun r) => new(
        r.Id, r.Runbook, r.RunbookVersion, r.Title, r.Risk, r.IncidentId, r.AlertFingerprint, r.Status, r.StartedBy, r.StartedAt, r.FinishedBy, r.FinishedAt,
        r.Note, $"/runbook-runs/{r.Id}",
        r.Steps.OrderBy(s => s.Number).Select(s => new RunStepView(
            s.Number, s.Title, s.ExpectedResult, s.ActionKind is { } kind ? new RunActionView(kind, s.ActionTarget!, s.ActionMethod) : null,
            s.Status, s.Note, s.DoneBy, s.DoneAt, s.Execution, s.RequestedBy, s.RequestedAt, s.ApprovedBy, s.ApprovedAt, s.ExitCode, s.Output, s.ExecutedAt)).ToList());
}

/// <summary>
/// Guided runs: start one (alone, from an incident or from an alert) with a snapshot of the runbook
/// and its steps, tick each step in order as done or skipped with a note or pasted output, and
/// finish it (completed or aborted). Every change is audited; a run of an incident writes each
/// change to the incident's timeline (kind <c>runbook</c>) in the same transaction.
/// </summary>
public sealed partial class RunbookRuns(VigilDbContext db, AuditLog audit, TimeProvider clock, RunbookCatalog catalog, RunbookActions actions)
{
    public const int NoteLimit = 10_000;
    public const string TimelineKind = "runbook";

    public VigilDbContext Db => db;
    public AuditLog Audit => audit;
    public DateTimeOffset Now => clock.GetUtcNow();
    public RunbookCatalog Catalog => catalog;

    public sealed class StartRequest
    {
        public string? Runbook { get; set; }
        /// <summary>The incident (<c>INC-2026-001</c>) the run is for: each step is written to its timeline.</summary>
        public string? IncidentId { get; set; }
        /// <summary>The fingerprint of the alert the run is for.</summary>
        public string? Alert { get; set; }
    }

    public sealed class StepRequest
    {
        /// <summary>done or skipped.</summary>
        public string? Status { get; set; }
        /// <summary>A note or pasted output.</summary>
        public string? Note { get; set; }
    }

    public sealed class FinishRequest
    {
        /// <summary>completed or aborted.</summary>
        public string? Status { get; set; }
        public string? Note { get; set; }
    }

    public Task<RunbookRun?> FindAsync(int id, CancellationToken cancellationToken) =>
        db.Set<RunbookRun>().Include(r => r.Steps).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);

    public async Task<RunOutcome> StartAsync(StartRequest? body, Caller caller, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body?.Runbook))
        {
            return RunOutcome.Invalid("runbook", "the name of the runbook to run is required");
        }
        if (await catalog.FindAsync(db, body.Runbook, cancellationToken) is not { } entry)
        {
            return RunOutcome.Invalid("runbook", $"no runbook named \"{body.Runbook}\"");
        }
        if (entry.Problems.Count > 0)
        {
            return RunOutcome.Conflict("runbook", $"runbook \"{body.Runbook}\" no longer passes the check ({entry.Problems[0].Reason}); fix it before running it");
        }
        Incident? incident = null;
        var incidentId = string.IsNullOrWhiteSpace(body.IncidentId) ? null : body.IncidentId.Trim();
        var fingerprint = string.IsNullOrWhiteSpace(body.Alert) ? null : body.Alert.Trim();
        if (fingerprint is not null)
        {
            if (!await db.Set<StoredAlert>().AnyAsync(a => a.Fingerprint == fingerprint, cancellationToken))
            {
                return RunOutcome.Invalid("alert", $"no alert with fingerprint \"{fingerprint}\"");
            }
            // An alert that joined an open incident: the run is that incident's too.
            incidentId ??= await db.Set<IncidentEvent>()
                .Where(e => e.Kind == "alert" && e.Ref == fingerprint && e.Incident!.Status != IncidentStatus.Resolved)
                .OrderByDescending(e => e.At).Select(e => e.Incident!.HumanId).FirstOrDefaultAsync(cancellationToken);
        }
        if (incidentId is not null)
        {
            incident = await db.Set<Incident>().SingleOrDefaultAsync(i => i.HumanId == incidentId, cancellationToken);
            if (incident is null)
            {
                return RunOutcome.Invalid("incident_id", $"no incident {incidentId}");
            }
            if (!caller.Has(Permission.IncidentsRespond))
            {
                return RunOutcome.Forbidden("incident_id", $"a run of an incident writes to its timeline, which needs {Permission.IncidentsRespond}");
            }
        }
        var runbook = entry.Runbook;
        var now = Now;
        var run = new RunbookRun
        {
            Runbook = runbook.Name,
            RunbookVersion = entry.Version,
            Title = runbook.Title,
            Risk = runbook.Risk,
            Markdown = runbook.Markdown,
            IncidentId = incident?.HumanId,
            AlertFingerprint = fingerprint,
            StartedBy = Actor(caller),
            StartedAt = now,
            Steps = runbook.Steps.Select(s => new RunbookRunStep
            {
                Number = s.Number,
                Title = Cut(s.Title, 500),
                ExpectedResult = s.ExpectedResult is null ? null : Cut(s.ExpectedResult, 2000),
                ActionKind = s.Action?.Kind,
                ActionTarget = s.Action?.Target,
                ActionMethod = s.Action?.Method,
            }).ToList(),
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record("start", "runbook_run", Id(run), new { runbook = run.Runbook, version = run.RunbookVersion, incident = run.IncidentId, alert = run.AlertFingerprint });
        Timeline(run, incident, run.StartedBy, $"Started runbook \"{run.Title}\" ({run.Steps.Count} steps, risk {run.Risk})");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return RunOutcome.Done(run);
    }

    public async Task<RunOutcome> TickAsync(int id, int number, StepRequest? body, Caller caller, CancellationToken cancellationToken)
    {
        if (body?.Status is not (StepStatus.Done or StepStatus.Skipped))
        {
            return RunOutcome.Invalid("status", $"\"{body?.Status}\" is not a step status: use done or skipped");
        }
        var note = string.IsNullOrWhiteSpace(body.Note) ? null : body.Note.Trim();
        if (note?.Length > NoteLimit)
        {
            return RunOutcome.Invalid("note", $"at most {NoteLimit} characters");
        }
        if (await FindAsync(id, cancellationToken) is not { } run)
        {
            return RunOutcome.Missing($"no runbook run {id}");
        }
        if (run.Steps.SingleOrDefault(s => s.Number == number) is not { } step)
        {
            return RunOutcome.Missing($"run {id} has no step {number}");
        }
        if (run.Status != RunStatus.Running)
        {
            return RunOutcome.Conflict("status", $"run {id} is {run.Status}");
        }
        if (step.Status != StepStatus.Pending)
        {
            return RunOutcome.Conflict("status", $"step {number} is already {step.Status} (by {step.DoneBy})");
        }
        if (run.Steps.Where(s => s.Number < number && s.Status == StepStatus.Pending).Select(s => s.Number).ToList() is { Count: > 0 } before)
        {
            return RunOutcome.Conflict("step", $"a guided run goes step by step: step {string.Join(", ", before)} comes first (tick or skip it)");
        }
        if (step.Execution == ExecutionState.Running)
        {
            return RunOutcome.Conflict("status", $"step {number}'s action is running");
        }
        if (body.Status == StepStatus.Done && step.ActionKind is not null && step.Execution != ExecutionState.Failed)
        {
            return RunOutcome.Conflict("status", step.Execution is null
                ? $"step {number} is automated: execute it (POST .../steps/{number}/execute) or skip it"
                : $"step {number}'s action is {step.Execution}");
        }
        var actor = Actor(caller);
        step.Status = body.Status;
        step.Note = note;
        step.DoneBy = actor;
        step.DoneAt = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        audit.Record(body.Status == StepStatus.Done ? "step_done" : "step_skipped", "runbook_run", Id(run), new { step = number, note });
        Timeline(run, await IncidentOfAsync(run, cancellationToken), actor,
            $"Runbook \"{run.Title}\" step {number} \"{step.Title}\" {body.Status}{(note is null ? "" : $": {Cut(note, 2000)}")}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return RunOutcome.Done(run);
    }

    public async Task<RunOutcome> FinishAsync(int id, FinishRequest? body, Caller caller, CancellationToken cancellationToken)
    {
        if (body?.Status is not (RunStatus.Completed or RunStatus.Aborted))
        {
            return RunOutcome.Invalid("status", $"\"{body?.Status}\" is not how a run finishes: use completed or aborted");
        }
        var note = string.IsNullOrWhiteSpace(body.Note) ? null : body.Note.Trim();
        if (note?.Length > NoteLimit)
        {
            return RunOutcome.Invalid("note", $"at most {NoteLimit} characters");
        }
        if (await FindAsync(id, cancellationToken) is not { } run)
        {
            return RunOutcome.Missing($"no runbook run {id}");
        }
        if (run.Status != RunStatus.Running)
        {
            return RunOutcome.Conflict("status", $"run {id} is already {run.Status}");
        }
        if (body.Status == RunStatus.Completed && run.Steps.Where(s => s.Status == StepStatus.Pending).Select(s => s.Number).Order().ToList() is { Count: > 0 } pending)
        {
            return RunOutcome.Conflict("status", $"step {string.Join(", ", pending)} is not done or skipped yet: tick them, or abort the run");
        }
        if (run.Steps.Any(s => s.Execution == ExecutionState.Running))
        {
            return RunOutcome.Conflict("status", "an automated step is running; wait for it");
        }
        var actor = Actor(caller);
        run.Status = body.Status;
        run.Note = note;
        run.FinishedBy = actor;
        run.FinishedAt = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        audit.Record(body.Status == RunStatus.Completed ? "complete" : "abort", "runbook_run", Id(run), new { note });
        Timeline(run, await IncidentOfAsync(run, cancellationToken), actor, $"Runbook \"{run.Title}\" {body.Status}{(note is null ? "" : $": {Cut(note, 2000)}")}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return RunOutcome.Done(run);
    }

    public async Task<Incident?> IncidentOfAsync(RunbookRun run, CancellationToken cancellationToken) =>
        run.IncidentId is null ? null : await db.Set<Incident>().SingleOrDefaultAsync(i => i.HumanId == run.IncidentId, cancellationToken);

    /// <summary>Adds the incident's timeline row through the Incidents slice's own path (same unit of work).</summary>
    public void Timeline(RunbookRun run, Incident? incident, string actor, string text)
    {
        if (incident is not null)
        {
            IncidentWorkspace.Record(db, incident, TimelineKind, actor, text, Now, $"runbook-run:{run.Id}");
        }
    }

    public static string Id(RunbookRun run) => run.Id.ToString(CultureInfo.InvariantCulture);

    public static string Actor(Caller caller) => caller.Username ?? Caller.System.Username!;

    public static string Cut(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
