using Microsoft.EntityFrameworkCore;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Runbooks;

/// <summary>
/// <c>/api/runbook-runs</c>: start a guided run, list and read runs, tick a step
/// (<c>POST /api/runbook-runs/{id}/steps/{n}</c>) and finish a run.
/// </summary>
public static class RunbookRunEndpoints
{
    public static async Task<IResult> Start(RunbookRuns.StartRequest? body, RunbookRuns runs, HttpContext http, CancellationToken cancellationToken) =>
        (await runs.StartAsync(body, http.Caller(), cancellationToken)).ToResult(created: true);

    public static async Task<IResult> Tick(int id, int number, RunbookRuns.StepRequest? body, RunbookRuns runs, HttpContext http, CancellationToken cancellationToken) =>
        (await runs.TickAsync(id, number, body, http.Caller(), cancellationToken)).ToResult();

    public static async Task<IResult> Execute(int id, int number, RunbookRuns runs, HttpContext http, CancellationToken cancellationToken) =>
        (await runs.ExecuteAsync(id, number, http.Caller(), cancellationToken)).ToResult();

    public static async Task<IResult> Approve(int id, int number, RunbookRuns runs, HttpContext http, CancellationToken cancellationToken) =>
        (await runs.ApproveAsync(id, number, http.Caller(), cancellationToken)).ToResult();

    public static async Task<IResult> Finish(int id, RunbookRuns.FinishRequest? body, RunbookRuns runs, HttpContext http, CancellationToken cancellationToken) =>
        (await runs.FinishAsync(id, body, http.Caller(), cancellationToken)).ToResult();

    public static async Task<IResult> Get(int id, RunbookRuns runs, CancellationToken cancellationToken) =>
        await runs.FindAsync(id, cancellationToken) is { } run ? TypedResults.Ok(RunView.From(run)) : Problems.NotFound($"no runbook run {id}");

    /// <summary>Newest first; filtered by runbook, incident or status.</summary>
    public static async Task<IResult> List(string? runbook, string? incident, string? status, RunbookRuns runs, CancellationToken cancellationToken)
    {
        var query = runs.Db.Set<RunbookRun>().Include(r => r.Steps).AsQueryable();
        if (runbook is not null)
        {
            query = query.Where(r => r.Runbook == runbook);
        }
        if (incident is not null)
        {
            query = query.Where(r => r.IncidentId == incident);
        }
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }
        var found = await query.OrderByDescending(r => r.Id).Take(500).ToListAsync(cancellationToken);
        return TypedResults.Ok(found.Select(RunView.From).ToList());
    }
}
