using Vigil.Configuration;

namespace Vigil.Features.Deployments;

/// <summary>Applies one lifecycle step to a deployment: its status, its timestamps and a transition row.</summary>
public static class DeploymentSteps
{
    /// <summary>Starts a pending deployment if its environment's change control allows it now; else the refusal, and nothing changes.</summary>
    public static FieldError? Start(DeploymentSettings settings, Deployment deployment, string actor, string? overrideReason, DateTimeOffset now)
    {
        var environment = settings.Environment(deployment.Environment);
        if (ChangeControl.Refusal(environment, deployment, now, overrideReason) is { } refused)
        {
            return refused;
        }
        string? note = null;
        if (environment is not null && ChangeControl.FreezeAt(environment, now) is { } freeze)
        {
            deployment.FreezeOverrideReason = overrideReason!.Trim();
            deployment.FreezeOverriddenBy = actor;
            note = $"started during change freeze \"{freeze.Name}\": {deployment.FreezeOverrideReason}";
        }
        Record(deployment, DeploymentStatus.Pending, DeploymentStatus.InProgress, actor, note, now);
        return null;
    }

    public static void Record(Deployment deployment, string? from, string to, string actor, string? note, DateTimeOffset now)
    {
        deployment.Status = to;
        deployment.UpdatedAt = now;
        if (to == DeploymentStatus.InProgress)
        {
            deployment.StartedAt = now;
        }
        else if (DeploymentStatus.IsFinished(to))
        {
            deployment.FinishedAt ??= now;
        }
        deployment.Transitions.Add(new DeploymentTransition { From = from, To = to, At = now, Actor = actor, Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim() });
    }
}
