using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Inbound;
using Vigil.Hosting;

namespace Vigil.Features.Deployments;

/// <summary>
/// <c>POST /api/deployments/webhook/{token}?service=</c>: a CI system reports a deployment. The
/// token is that of an <c>alerting.integrations</c> entry of <c>type: deployments</c> (the same
/// mechanism as inbound alerts), in the URL because GitHub's webhooks cannot send headers. GitHub's
/// <c>deployment_status</c> event (header <c>X-GitHub-Event</c>) or the generic JSON of
/// <see cref="ReadCiDeployment.Generic"/>. The first delivery for a CI id records the deployment;
/// later ones move it forward; a replayed or stale one changes nothing.
/// </summary>
public static class ReceiveDeploymentWebhook
{
    public static async Task<IResult> Handle(
        string token, string? service, HttpRequest request, IntegrationTokens integrations, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (integrations.Find(IntegrationType.Deployments, token) is not { } integration)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not authenticated",
                detail: "the URL's token is not that of an integration of type deployments");
        }
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            return Problems.Field("body", $"invalid JSON: {e.Message}");
        }
        var gitHubEvent = request.Headers["X-GitHub-Event"].ToString();
        if (gitHubEvent.Length > 0 && gitHubEvent != "deployment_status")
        {
            // GitHub's ping and any other event the hook was subscribed to: acknowledged, not recorded.
            return TypedResults.Accepted((string?)null, new { ignored = gitHubEvent });
        }
        var isGitHub = gitHubEvent.Length > 0 || (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("deployment_status", out _));
        var (ci, errors) = isGitHub ? ReadCiDeployment.GitHub(body, service) : ReadCiDeployment.Generic(body);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (ci!.Status.Length == 0)
        {
            return TypedResults.Accepted((string?)null, new { ignored = "inactive" });
        }
        var outcome = await RunAsync(db, config.Current.Config, audit, ci, $"webhook:{integration}", clock.GetUtcNow(), cancellationToken);
        return outcome.Result.ToResult(created: outcome.Created);
    }

    public static async Task<(DeploymentOutcome Result, bool Created)> RunAsync(
        VigilDbContext db, VigilConfig config, AuditLog audit, CiDeployment ci, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var actor = ci.By ?? source;
        var deployment = await db.Set<Deployment>().AsNoTracking().SingleOrDefaultAsync(d => d.Source == source && d.ExternalId == ci.ExternalId, cancellationToken);
        var created = deployment is null;
        if (deployment is null)
        {
            var request = new RecordDeployment.Request
            {
                Service = ci.Service,
                Environment = ci.Environment,
                Version = ci.Version,
                Commit = ci.Commit,
                Strategy = ci.Strategy,
                Links = ci.Link is null ? null : [ci.Link],
                Status = ci.Status == DeploymentStatus.Pending ? DeploymentStatus.Pending : DeploymentStatus.InProgress,
            };
            var recorded = await RecordDeployment.RunAsync(db, config, audit, request, new RecordDeployment.Author(actor, null, source, ci.ExternalId), now, cancellationToken);
            if (!recorded.Succeeded)
            {
                return (recorded, false);
            }
            deployment = recorded.Deployment!;
        }
        var last = DeploymentOutcome.Done(deployment);
        foreach (var step in StepsTo(deployment.Status, ci.Status))
        {
            last = await ChangeDeploymentStatus.RunAsync(db, config.Deployments, audit, deployment.Id, step, new ChangeDeploymentStatus.Request { Note = $"reported by {source}" }, actor, now, cancellationToken);
            if (!last.Succeeded)
            {
                return (last, false);
            }
        }
        if (last.Deployment!.Transitions.Count == 0)
        {
            last = DeploymentOutcome.Done(await db.Set<Deployment>().AsNoTracking().Include(d => d.Transitions).SingleAsync(d => d.Id == deployment.Id, cancellationToken));
        }
        return (last, created);
    }

    /// <summary>
    /// The steps from where the deployment is to what the CI reports. CI systems may skip a state
    /// (queued straight to success) and redeliver old events, so a report behind the deployment
    /// (or equal to it) is no step at all.
    /// </summary>
    public static IReadOnlyList<string> StepsTo(string current, string reported) => (current, reported) switch
    {
        (DeploymentStatus.Pending, DeploymentStatus.InProgress) => [DeploymentStatus.InProgress],
        (DeploymentStatus.Pending, DeploymentStatus.Succeeded or DeploymentStatus.Failed) => [DeploymentStatus.InProgress, reported],
        (DeploymentStatus.InProgress, DeploymentStatus.Succeeded or DeploymentStatus.Failed) => [reported],
        _ => [],
    };
}
