using System.Text.Json;
using Vigil.Configuration;

namespace Vigil.Features.Deployments;

/// <summary>What a CI system says about one deployment, whatever its payload's shape.</summary>
public sealed record CiDeployment(string ExternalId, string Service, string Environment, string Version, string Status, string? Commit, string? By, string? Link, string? Strategy);

/// <summary>
/// Reads a CI delivery into a <see cref="CiDeployment"/>: GitHub's <c>deployment_status</c> event, or
/// Vigil's generic JSON. A pure function: the payload in, the deployment or the fields that are wrong out.
/// </summary>
public static class ReadCiDeployment
{
    /// <summary>
    /// GitHub's <c>deployment_status</c> webhook event
    /// (https://docs.github.com/webhooks/webhook-events-and-payloads#deployment_status): the
    /// deployment (<c>deployment.id</c>, <c>sha</c>, <c>ref</c>, <c>environment</c>,
    /// <c>creator.login</c>, optional <c>payload.version</c>), its new status
    /// (<c>deployment_status.state</c>: queued, pending, in_progress, success, failure, error,
    /// inactive; <c>log_url</c> or <c>target_url</c>) and the <c>repository.full_name</c>.
    /// The service is <paramref name="service"/> when the URL names it, else the repository's
    /// name (<c>acme/checkout</c> → <c>checkout</c>). Null status: <c>inactive</c>, which GitHub
    /// sets on older deployments when a newer one succeeds; nothing to record.
    /// </summary>
    public static (CiDeployment? Deployment, List<FieldError> Errors) GitHub(JsonElement body, string? service)
    {
        var errors = new List<FieldError>();
        var id = Text(body, "deployment.id");
        var environment = Text(body, "deployment_status.environment") is { Length: > 0 } e ? e : Text(body, "deployment.environment");
        var state = Text(body, "deployment_status.state");
        var sha = Text(body, "deployment.sha");
        var repository = Text(body, "repository.full_name");
        Require(errors, "deployment.id", id);
        Require(errors, "deployment.environment", environment);
        Require(errors, "deployment_status.state", state);
        if (string.IsNullOrEmpty(service))
        {
            Require(errors, "repository.full_name", repository);
            service = repository?[(repository.LastIndexOf('/') + 1)..];
        }
        var status = state switch
        {
            "queued" or "pending" => DeploymentStatus.Pending,
            "in_progress" => DeploymentStatus.InProgress,
            "success" => DeploymentStatus.Succeeded,
            "failure" or "error" => DeploymentStatus.Failed,
            "inactive" => "",
            null => null,
            _ => Unknown(errors, "deployment_status.state", state, "queued, pending, in_progress, success, failure, error, inactive"),
        };
        // GitHub deployments carry a ref (often a tag such as v1.4.2) and a sha; a workflow may
        // name the version in the deployment's own payload.
        var version = Text(body, "deployment.payload.version") is { Length: > 0 } named ? named
            : Text(body, "deployment.ref") is { Length: > 0 } gitRef ? gitRef
            : sha is { Length: > 7 } ? sha[..7] : sha;
        Require(errors, "deployment.ref", version);
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var link = Text(body, "deployment_status.log_url") is { Length: > 0 } log ? log : Text(body, "deployment_status.target_url");
        return (new CiDeployment($"github:{repository}:{id}", service!, environment!, version!, status!, sha, Text(body, "deployment.creator.login"), string.IsNullOrEmpty(link) ? null : link, null), errors);
    }

    /// <summary>
    /// Vigil's generic JSON for CI systems that can send any JSON:
    /// <c>{"id", "service", "environment", "version", "status", "commit", "by", "url", "strategy"}</c>;
    /// <c>status</c> is one of pending, in_progress, succeeded, failed; <c>id</c> is the CI's identity
    /// of the deployment (its run or job id), so later deliveries for the same id move the same deployment.
    /// </summary>
    public static (CiDeployment? Deployment, List<FieldError> Errors) Generic(JsonElement body)
    {
        var errors = new List<FieldError>();
        var id = Text(body, "id");
        var service = Text(body, "service");
        var environment = Text(body, "environment");
        var version = Text(body, "version");
        var status = Text(body, "status");
        Require(errors, "id", id);
        Require(errors, "service", service);
        Require(errors, "environment", environment);
        Require(errors, "version", version);
        Require(errors, "status", status);
        if (status is not null and not (DeploymentStatus.Pending or DeploymentStatus.InProgress or DeploymentStatus.Succeeded or DeploymentStatus.Failed))
        {
            Unknown(errors, "status", status, "pending, in_progress, succeeded, failed");
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new CiDeployment(id!, service!, environment!, version!, status!, Text(body, "commit"), Text(body, "by"), Text(body, "url"), Text(body, "strategy")), errors);
    }

    private static void Require(List<FieldError> errors, string path, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(new FieldError(path, "required"));
        }
    }

    private static string? Unknown(List<FieldError> errors, string path, string value, string allowed)
    {
        errors.Add(new FieldError(path, $"unknown value \"{value}\": use one of {allowed}"));
        return null;
    }

    private static string? Text(JsonElement body, string path) =>
        body.ValueKind == JsonValueKind.Object ? Alerting.Inbound.ReceiveWebhookAlert.At(body, path) : null;
}
