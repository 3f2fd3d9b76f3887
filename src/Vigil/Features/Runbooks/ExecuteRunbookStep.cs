using Microsoft.EntityFrameworkCore;
using Vigil.Features.Access;

namespace Vigil.Features.Runbooks;

/// <summary>
/// Automated steps: <c>POST /api/runbook-runs/{id}/steps/{n}/execute</c> asks Vigil to run the
/// step's allow-listed action; in a High-risk runbook it then waits for
/// <c>POST .../steps/{n}/approve</c> by a second person (not the one who asked: the four-eyes
/// principle). The action runs exactly once: the request that moves the step into
/// <see cref="ExecutionState.Running"/> does so with a conditional update in the database, so a
/// double click or two replicas answering at once find it claimed (409) and run nothing.
/// </summary>
public sealed partial class RunbookRuns
{
    public async Task<RunOutcome> ExecuteAsync(int id, int number, Caller caller, CancellationToken cancellationToken)
    {
        var (run, step, refused) = await AutomatedStepAsync(id, number, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (step!.Execution is not null)
        {
            return RunOutcome.Conflict("execution", $"step {number} was already asked for by {step.RequestedBy}; it is {step.Execution}");
        }
        var actor = Actor(caller);
        var now = Now;
        var high = run!.Risk == RunbookRisk.High;
        var next = high ? ExecutionState.AwaitingApproval : ExecutionState.Running;
        var claimed = await db.Set<RunbookRunStep>()
            .Where(s => s.Id == step.Id && s.Execution == null && s.Status == StepStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Execution, next).SetProperty(s => s.RequestedBy, actor).SetProperty(s => s.RequestedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return RunOutcome.Conflict("execution", $"step {number} was already asked for");
        }
        await db.Entry(step).ReloadAsync(cancellationToken);
        audit.Record("execute_request", "runbook_run", Id(run), new { step = number, action = step.ActionTarget, needs_approval = high });
        Timeline(run, await IncidentOfAsync(run, cancellationToken), actor, high
            ? $"Runbook \"{run.Title}\" step {number} \"{step.Title}\": {Describe(step)} awaits a second person's approval"
            : $"Runbook \"{run.Title}\" step {number} \"{step.Title}\": running {Describe(step)}");
        await db.SaveChangesAsync(cancellationToken);
        if (!high)
        {
            await RunClaimedAsync(run, step, cancellationToken);
        }
        return RunOutcome.Done(run);
    }

    public async Task<RunOutcome> ApproveAsync(int id, int number, Caller caller, CancellationToken cancellationToken)
    {
        var (run, step, refused) = await AutomatedStepAsync(id, number, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (step!.Execution != ExecutionState.AwaitingApproval)
        {
            return RunOutcome.Conflict("execution", step.Execution is null
                ? $"step {number} has not been asked for: execute it first"
                : $"step {number} is {step.Execution}{(step.ApprovedBy is null ? "" : $" (approved by {step.ApprovedBy})")}");
        }
        var approver = Actor(caller);
        if (string.Equals(approver, step.RequestedBy, StringComparison.Ordinal))
        {
            return RunOutcome.Forbidden("approver", $"{approver} asked for this step: a second person must approve it");
        }
        var now = Now;
        var claimed = await db.Set<RunbookRunStep>()
            .Where(s => s.Id == step.Id && s.Execution == ExecutionState.AwaitingApproval && s.Status == StepStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Execution, ExecutionState.Running).SetProperty(s => s.ApprovedBy, approver).SetProperty(s => s.ApprovedAt, now), cancellationToken);
        if (claimed == 0)
        {
            await db.Entry(step).ReloadAsync(cancellationToken);
            return RunOutcome.Conflict("execution", $"step {number} was approved already (by {step.ApprovedBy})");
        }
        await db.Entry(step).ReloadAsync(cancellationToken);
        audit.Record("approve", "runbook_run", Id(run!), new { step = number, action = step.ActionTarget, requested_by = step.RequestedBy });
        Timeline(run!, await IncidentOfAsync(run!, cancellationToken), approver, $"Runbook \"{run!.Title}\" step {number} \"{step.Title}\": approved, running {Describe(step)}");
        await db.SaveChangesAsync(cancellationToken);
        await RunClaimedAsync(run, step, cancellationToken);
        return RunOutcome.Done(run);
    }

    /// <summary>Runs the action this request claimed and records its result; a success ticks the step done.</summary>
    private async Task RunClaimedAsync(RunbookRun run, RunbookRunStep step, CancellationToken cancellationToken)
    {
        var result = await actions.RunAsync(step, CancellationToken.None);
        var now = Now;
        step.Execution = result.Succeeded ? ExecutionState.Succeeded : ExecutionState.Failed;
        step.ExitCode = result.Code;
        step.Output = result.Output;
        step.ExecutedAt = now;
        if (result.Succeeded)
        {
            step.Status = StepStatus.Done;
            step.DoneBy = step.RequestedBy;
            step.DoneAt = now;
        }
        var code = result.Code is null ? "" : step.ActionKind == RunbookActionKind.Http ? $" (HTTP {result.Code})" : $" (exit {result.Code})";
        audit.Record("execute", "runbook_run", Id(run), new { step = step.Number, action = step.ActionTarget, result = step.Execution, code = result.Code });
        Timeline(run, await IncidentOfAsync(run, cancellationToken), step.ApprovedBy ?? step.RequestedBy ?? Caller.System.Username!,
            $"Runbook \"{run.Title}\" step {step.Number} \"{step.Title}\" {step.Execution}{code}: {Cut(result.Output.Trim(), 500)}");
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<(RunbookRun? Run, RunbookRunStep? Step, RunOutcome? Refused)> AutomatedStepAsync(int id, int number, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } run)
        {
            return (null, null, RunOutcome.Missing($"no runbook run {id}"));
        }
        if (run.Steps.SingleOrDefault(s => s.Number == number) is not { } step)
        {
            return (null, null, RunOutcome.Missing($"run {id} has no step {number}"));
        }
        if (step.ActionKind is null)
        {
            return (null, null, RunOutcome.Conflict("step", $"step {number} has no automated action: tick it by hand"));
        }
        if (run.Status != RunStatus.Running)
        {
            return (null, null, RunOutcome.Conflict("status", $"run {id} is {run.Status}"));
        }
        if (step.Status != StepStatus.Pending)
        {
            return (null, null, RunOutcome.Conflict("status", $"step {number} is already {step.Status}"));
        }
        if (run.Steps.Where(s => s.Number < number && s.Status == StepStatus.Pending).Select(s => s.Number).ToList() is { Count: > 0 } before)
        {
            return (null, null, RunOutcome.Conflict("step", $"a guided run goes step by step: step {string.Join(", ", before)} comes first (tick or skip it)"));
        }
        return (run, step, null);
    }

    private static string Describe(RunbookRunStep step) =>
        step.ActionKind == RunbookActionKind.Http ? $"{step.ActionMethod} {step.ActionTarget}" : $"command {step.ActionTarget}";
}
