using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Deployments;

/// <summary>
/// <c>POST /api/deployments/{id}/start</c>, <c>/finish</c> and <c>/rollback</c>: moves a deployment
/// along its lifecycle (<see cref="DeploymentLifecycle"/>); a step out of order is a 409 naming
/// <c>status</c> and changes nothing.
/// </summary>
public static class ChangeDeploymentStatus
{
    public sealed class Request
    {
        /// <summary>For finish: succeeded (default) or failed.</summary>
        public string? Status { get; set; }
        /// <summary>For rollback: the version returned to (default the previous version).</summary>
        public string? Version { get; set; }
        public string? Note { get; set; }
        /// <summary>For start: why the deployment starts during a change freeze (refused without it).</summary>
        public string? OverrideReason { get; set; }
    }

    public static async Task<IResult> Start(int id, Request? body, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(db, config.Current.Config.Deployments, audit, id, DeploymentStatus.InProgress, body, http.Caller().Username ?? Caller.System.Username!, clock.GetUtcNow(), cancellationToken)).ToResult();

    public static async Task<IResult> Finish(int id, Request? body, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var to = body?.Status ?? DeploymentStatus.Succeeded;
        if (to is not (DeploymentStatus.Succeeded or DeploymentStatus.Failed))
        {
            return DeploymentOutcome.Invalid("status", $"a deployment finishes {DeploymentStatus.Succeeded} or {DeploymentStatus.Failed}, not \"{to}\"").ToResult();
        }
        return (await RunAsync(db, config.Current.Config.Deployments, audit, id, to, body, http.Caller().Username ?? Caller.System.Username!, clock.GetUtcNow(), cancellationToken)).ToResult();
    }

    public static async Task<IResult> Rollback(int id, Request? body, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(db, config.Current.Config.Deployments, audit, id, DeploymentStatus.RolledBack, body, http.Caller().Username ?? Caller.System.Username!, clock.GetUtcNow(), cancellationToken)).ToResult();

    public static async Task<DeploymentOutcome> RunAsync(VigilDbContext db, DeploymentSettings settings, AuditLog audit, int id, string to, Request? body, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (body?.Version is { Length: > 128 })
        {
            return DeploymentOutcome.Invalid("version", "at most 128 characters");
        }
        if (body?.Note is { Length: > 1000 })
        {
            return DeploymentOutcome.Invalid("note", "at most 1000 characters");
        }
        if (body?.OverrideReason is { Length: > 1000 })
        {
            return DeploymentOutcome.Invalid("override_reason", "at most 1000 characters");
        }
        var deployment = await db.Set<Deployment>().Include(d => d.Transitions).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (deployment is null)
        {
            return DeploymentOutcome.Missing(id);
        }
        var from = deployment.Status;
        var step = DeploymentLifecycle.Check(from, to);
        if (step != DeploymentStep.Allowed)
        {
            return DeploymentOutcome.Conflict("status", DeploymentLifecycle.Explain(step, from, to));
        }
        if (to == DeploymentStatus.RolledBack)
        {
            deployment.RolledBackTo = string.IsNullOrWhiteSpace(body?.Version) ? deployment.PreviousVersion : body.Version.Trim();
        }
        if (to == DeploymentStatus.InProgress)
        {
            if (DeploymentSteps.Start(settings, deployment, actor, body?.OverrideReason, now) is { } refused)
            {
                return DeploymentOutcome.Conflict(refused.Path, refused.Reason);
            }
        }
        else
        {
            DeploymentSteps.Record(deployment, from, to, actor, body?.Note, now);
        }
        audit.Record(to switch
        {
            DeploymentStatus.InProgress => "start",
            DeploymentStatus.RolledBack => "rollback",
            _ => "finish",
        }, "deployment", deployment.Id.ToString(CultureInfo.InvariantCulture), new { from, to, service = deployment.Service, environment = deployment.Environment, version = deployment.Version });
        await DeploymentsOnIncidents.RecordOutcomeAsync(db, deployment, actor, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return DeploymentOutcome.Done(deployment);
    }
}
