using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

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

    public static async Task<IResult> Handle(int id, Request? body, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var approver = http.Caller().Username ?? Caller.System.Username!;
        var deployment = await db.Set<Deployment>().Include(d => d.Transitions).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (deployment is null)
        {
            return Problems.NotFound($"no deployment {id}");
        }
        if (body?.Note is { Length: > 1000 })
        {
            return Problems.Field("note", "at most 1000 characters");
        }
        var environment = config.Current.Config.Deployments.Environment(deployment.Environment);
        if (environment?.RequireApproval != true)
        {
            return Problems.StateConflict("approval", $"{deployment.Environment} does not require approval");
        }
        if (deployment.Status != DeploymentStatus.Pending)
        {
            return Problems.StateConflict("status", $"a deployment is approved before it starts; this one is {deployment.Status}");
        }
        if (deployment.ApprovedBy is not null)
        {
            return Problems.StateConflict("approval", $"already approved by {deployment.ApprovedBy}");
        }
        if (environment.SegregationOfDuties && string.Equals(approver, deployment.DeployedBy, StringComparison.Ordinal))
        {
            return Problems.Forbidden("approver", $"{approver} is the deployment's author: segregation of duties needs someone else to approve it");
        }
        var now = clock.GetUtcNow();
        deployment.ApprovedBy = approver;
        deployment.ApprovedAt = now;
        deployment.UpdatedAt = now;
        audit.Record("approve", "deployment", deployment.Id.ToString(CultureInfo.InvariantCulture), new { note = body?.Note, author = deployment.DeployedBy });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(DeploymentView.From(deployment));
    }
}
