using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Deployments;

/// <summary>
/// <c>POST /api/deployments/{id}/gates/{gate}</c>: ticks one gate of the environment's checklist for a
/// pending deployment, with evidence (a link to the CI run, the scan report, or a note). Audited.
/// </summary>
public static class TickGate
{
    public sealed class Request
    {
        /// <summary>A link or a note that shows the gate holds.</summary>
        public string? Evidence { get; set; }
    }

    public static async Task<IResult> Handle(int id, string gate, Request? body, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(db, config.Current.Config.Deployments, audit, id, gate, body?.Evidence, http.Caller().Username ?? Caller.System.Username!, clock.GetUtcNow(), cancellationToken)).ToResult();

    public static async Task<DeploymentOutcome> RunAsync(VigilDbContext db, DeploymentSettings settings, AuditLog audit, int id, string gate, string? evidence, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(evidence))
        {
            return DeploymentOutcome.Invalid("evidence", "a link or note that shows the gate holds is required");
        }
        if (evidence.Length > 1000)
        {
            return DeploymentOutcome.Invalid("evidence", "at most 1000 characters");
        }
        var deployment = await db.Set<Deployment>().Include(d => d.Transitions).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (deployment is null)
        {
            return DeploymentOutcome.Missing(id);
        }
        var gates = settings.Environment(deployment.Environment)?.Gates ?? [];
        if (!gates.Any(g => g.Name == gate))
        {
            return DeploymentOutcome.Invalid("gate", gates.Count == 0
                ? $"{deployment.Environment} has no gates"
                : $"unknown gate \"{gate}\" for {deployment.Environment}: use one of {string.Join(", ", gates.Select(g => g.Name))}");
        }
        if (deployment.Status != DeploymentStatus.Pending)
        {
            return DeploymentOutcome.Conflict("status", $"gates are ticked before a deployment starts; this one is {deployment.Status}");
        }
        if (deployment.GateTicks.Any(t => t.Gate == gate))
        {
            return DeploymentOutcome.Conflict("gate", $"\"{gate}\" is already ticked");
        }
        deployment.GateTicks.Add(new GateTick { Gate = gate, Evidence = evidence.Trim(), TickedBy = actor, TickedAt = now });
        deployment.UpdatedAt = now;
        audit.Record("tick_gate", "deployment", deployment.Id.ToString(CultureInfo.InvariantCulture), new { gate, evidence = evidence.Trim() });
        await db.SaveChangesAsync(cancellationToken);
        return DeploymentOutcome.Done(deployment);
    }
}
