using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Deployments;

/// <summary>
/// <c>POST /api/deployments/{id}/approve</c>: approves a pending deployment to an environment with
/// <c>require_approval</c>. With <c>segregation_of_duties</c> (the default) the author may not
/// approve their own deployment (SOX change management: the person who makes a change is not the
/// one who authorises it). Audited.
/// </summary>
public static class ApproveDeployment
{
    public sealed class Request
    {
        public string? Note { get; set; }
    }

    public static async Task<IResult> Handle(int id, Request? body, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(db, config.Current.Config.Deployments, audit, id, body?.Note, http.Caller().Username ?? Caller.System.Username!, clock.GetUtcNow(), cancellationToken)).ToResult();

    public static async Task<DeploymentOutcome> RunAsync(VigilDbContext db, DeploymentSettings settings, AuditLog audit, int id, string? note, string approver, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deployment = await db.Set<Deployment>().Include(d => d.Transitions).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (deployment is null)
        {
            return DeploymentOutcome.Missing(id);
        }
        if (note is { Length: > 1000 })
        {
            return DeploymentOutcome.Invalid("note", "at most 1000 characters");
        }
        var environment = settings.Environment(deployment.Environment);
        if (environment?.RequireApproval != true)
        {
            return DeploymentOutcome.Conflict("approval", $"{deployment.Environment} does not require approval");
        }
        if (deployment.Status != DeploymentStatus.Pending)
        {
            return DeploymentOutcome.Conflict("status", $"a deployment is approved before it starts; this one is {deployment.Status}");
        }
        if (deployment.ApprovedBy is not null)
        {
            return DeploymentOutcome.Conflict("approval", $"already approved by {deployment.ApprovedBy}");
        }
        if (environment.SegregationOfDuties && string.Equals(approver, deployment.DeployedBy, StringComparison.Ordinal))
        {
            return DeploymentOutcome.Forbidden("approver", $"{approver} is the deployment's author: segregation of duties needs someone else to approve it");
        }
        deployment.ApprovedBy = approver;
        deployment.ApprovedAt = now;
        deployment.UpdatedAt = now;
        audit.Record("approve", "deployment", deployment.Id.ToString(CultureInfo.InvariantCulture), new { note, author = deployment.DeployedBy });
        await db.SaveChangesAsync(cancellationToken);
        return DeploymentOutcome.Done(deployment);
    }
}
