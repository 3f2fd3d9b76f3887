using Vigil.Hosting;

namespace Vigil.Features.Deployments;

/// <summary>The result of a deployment use case: the deployment it changed, or why nothing changed.</summary>
public sealed record DeploymentOutcome(Deployment? Deployment, int Status, string? Field = null, string? Reason = null)
{
    public static DeploymentOutcome Done(Deployment deployment) => new(deployment, StatusCodes.Status200OK);

    public static DeploymentOutcome Missing(int id) => new(null, StatusCodes.Status404NotFound, null, $"no deployment {id}");

    public static DeploymentOutcome Invalid(string field, string reason) => new(null, StatusCodes.Status400BadRequest, field, reason);

    /// <summary>Well formed, but the deployment's state (or its environment's change control) does not allow it now.</summary>
    public static DeploymentOutcome Conflict(string field, string reason) => new(null, StatusCodes.Status409Conflict, field, reason);

    /// <summary>The caller may not do this (segregation of duties: the author approving their own deployment).</summary>
    public static DeploymentOutcome Forbidden(string field, string reason) => new(null, StatusCodes.Status403Forbidden, field, reason);

    public bool Succeeded => Deployment is not null;

    public string Message => Field is null ? Reason ?? "" : $"{Field}: {Reason}";

    public IResult ToResult(bool created = false) => Status switch
    {
        StatusCodes.Status200OK when created => TypedResults.Created($"/api/deployments/{Deployment!.Id}", DeploymentView.From(Deployment)),
        StatusCodes.Status200OK => TypedResults.Ok(DeploymentView.From(Deployment!)),
        StatusCodes.Status404NotFound => Problems.NotFound(Reason!),
        StatusCodes.Status400BadRequest => Problems.Field(Field!, Reason!),
        StatusCodes.Status403Forbidden => Problems.Forbidden(Field!, Reason!),
        _ => Problems.StateConflict(Field!, Reason!),
    };
}

/// <summary>A deployment as the API returns it, with its lifecycle steps oldest first.</summary>
public sealed record DeploymentView(
    int Id,
    string Service,
    string Environment,
    string Version,
    string? PreviousVersion,
    string Strategy,
    string Status,
    string DeployedBy,
    string? Commit,
    string? Description,
    IReadOnlyList<string> Links,
    string Source,
    string? ExternalId,
    string? RolledBackTo,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<TransitionView> Transitions,
    IReadOnlyList<GateTickView> Gates,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    string? FreezeOverrideReason)
{
    public static DeploymentView From(Deployment d) => new(
        d.Id, d.Service, d.Environment, d.Version, d.PreviousVersion, d.Strategy, d.Status, d.DeployedBy, d.Commit, d.Description, d.Links,
        d.Source, d.ExternalId, d.RolledBackTo, d.CreatedAt, d.StartedAt, d.FinishedAt,
        [.. d.Transitions.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new TransitionView(t.From, t.To, t.At, t.Actor, t.Note))],
        [.. d.GateTicks.OrderBy(g => g.TickedAt).Select(g => new GateTickView(g.Gate, g.Evidence, g.TickedBy, g.TickedAt))],
        d.ApprovedBy, d.ApprovedAt, d.FreezeOverrideReason);
}

public sealed record TransitionView(string? From, string To, DateTimeOffset At, string Actor, string? Note);

public sealed record GateTickView(string Gate, string Evidence, string TickedBy, DateTimeOffset TickedAt);
