using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Deployments;

/// <summary>
/// <c>POST /api/deployments</c>: records a deployment of a catalog service to one of its
/// environments, started at once (<c>status: in_progress</c>, the default) or left
/// <c>pending</c> until <c>POST /api/deployments/{id}/start</c>.
/// </summary>
public static class RecordDeployment
{
    public sealed class Request
    {
        public string? Service { get; set; }
        public string? Environment { get; set; }
        public string? Version { get; set; }
        /// <summary>Defaults to the version of the last succeeded deployment of the service to the environment.</summary>
        public string? PreviousVersion { get; set; }
        /// <summary>rolling (default), blue_green or canary.</summary>
        public string? Strategy { get; set; }
        /// <summary>in_progress (default) or pending.</summary>
        public string? Status { get; set; }
        public string? Commit { get; set; }
        public string? Description { get; set; }
        public List<string>? Links { get; set; }
        /// <summary>Why the deployment starts during a change freeze (refused without it).</summary>
        public string? OverrideReason { get; set; }
    }

    /// <summary>Who records a deployment: a user (with the token they used) or a CI integration.</summary>
    public sealed record Author(string Name, int? TokenId, string Source = "api", string? ExternalId = null);

    public static async Task<IResult> Handle(Request? body, VigilDbContext db, ConfigReloader config, AuditLog audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var outcome = await RunAsync(db, config.Current.Config, audit, body, new Author(caller.Username ?? Caller.System.Username!, caller.TokenId), clock.GetUtcNow(), cancellationToken);
        return outcome.ToResult(created: true);
    }

    public static async Task<DeploymentOutcome> RunAsync(VigilDbContext db, VigilConfig config, AuditLog audit, Request? body, Author author, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return DeploymentOutcome.Invalid("body", "a JSON deployment is required");
        }
        if (await ValidateAsync(db, config, body, cancellationToken) is { } invalid)
        {
            return invalid;
        }
        var previous = body.PreviousVersion ?? await db.Set<Deployment>().AsNoTracking()
            .Where(d => d.Service == body.Service && d.Environment == body.Environment && d.Status == DeploymentStatus.Succeeded)
            .OrderByDescending(d => d.FinishedAt).ThenByDescending(d => d.Id)
            .Select(d => d.Version).FirstOrDefaultAsync(cancellationToken);
        var deployment = new Deployment
        {
            Service = body.Service!,
            Environment = body.Environment!,
            Version = body.Version!.Trim(),
            PreviousVersion = previous,
            Strategy = body.Strategy ?? DeploymentStrategy.Rolling,
            DeployedBy = author.Name,
            TokenId = author.TokenId,
            Commit = body.Commit,
            Description = body.Description,
            Links = body.Links ?? [],
            Source = author.Source,
            ExternalId = author.ExternalId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        DeploymentSteps.Record(deployment, null, DeploymentStatus.Pending, author.Name, null, now);
        if ((body.Status ?? DeploymentStatus.InProgress) == DeploymentStatus.InProgress)
        {
            if (DeploymentSteps.Start(config.Deployments, deployment, author.Name, body.OverrideReason, now) is { } refused)
            {
                return DeploymentOutcome.Conflict(refused.Path, refused.Reason);
            }
        }
        // The audit entry names the deployment's id, known once the row is written: both commit together.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Add(deployment);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record("create", "deployment", deployment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new
        {
            service = deployment.Service,
            environment = deployment.Environment,
            version = deployment.Version,
            status = deployment.Status,
            source = deployment.Source,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return DeploymentOutcome.Done(deployment);
    }

    private static async Task<DeploymentOutcome?> ValidateAsync(VigilDbContext db, VigilConfig config, Request body, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Service))
        {
            return DeploymentOutcome.Invalid("service", "the service deployed is required");
        }
        if (string.IsNullOrWhiteSpace(body.Environment))
        {
            return DeploymentOutcome.Invalid("environment", "the environment deployed to is required");
        }
        if (string.IsNullOrWhiteSpace(body.Version))
        {
            return DeploymentOutcome.Invalid("version", "the version deployed is required");
        }
        foreach (var (field, value, max) in new[] { ("version", body.Version, 128), ("previous_version", body.PreviousVersion, 128), ("commit", body.Commit, 64), ("description", body.Description, 1000), ("override_reason", body.OverrideReason, 1000) })
        {
            if (value is not null && value.Length > max)
            {
                return DeploymentOutcome.Invalid(field, $"at most {max} characters");
            }
        }
        if (body.Strategy is not null && !DeploymentStrategy.All.Contains(body.Strategy))
        {
            return DeploymentOutcome.Invalid("strategy", $"unknown strategy \"{body.Strategy}\": use one of {string.Join(", ", DeploymentStrategy.All)}");
        }
        if (body.Status is not null and not (DeploymentStatus.Pending or DeploymentStatus.InProgress))
        {
            return DeploymentOutcome.Invalid("status", $"a deployment is recorded {DeploymentStatus.Pending} or {DeploymentStatus.InProgress}, not \"{body.Status}\"");
        }
        var links = body.Links ?? [];
        for (var i = 0; i < links.Count; i++)
        {
            if (!Uri.TryCreate(links[i], UriKind.Absolute, out var link) || link.Scheme is not ("http" or "https"))
            {
                return DeploymentOutcome.Invalid($"links[{i}]", "an absolute http or https URL is required");
            }
        }
        var environments = await db.Services.AsNoTracking().Where(s => s.Name == body.Service)
            .Select(s => s.Environments.Select(e => e.Name).ToList()).SingleOrDefaultAsync(cancellationToken);
        if (environments is null)
        {
            return DeploymentOutcome.Invalid("service", $"no service named \"{body.Service}\" in the catalog");
        }
        var known = environments.Concat(config.Deployments.Environments.Select(e => e.Name!)).Distinct(StringComparer.Ordinal).ToList();
        if (!known.Contains(body.Environment, StringComparer.Ordinal))
        {
            return DeploymentOutcome.Invalid("environment", known.Count == 0
                ? $"unknown environment \"{body.Environment}\": {body.Service} declares no environments and deployments.environments is empty"
                : $"unknown environment \"{body.Environment}\" for {body.Service}: use one of {string.Join(", ", known)}");
        }
        return null;
    }
}
