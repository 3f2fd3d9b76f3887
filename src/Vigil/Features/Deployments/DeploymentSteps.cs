namespace Vigil.Features.Deployments;

/// <summary>Applies one lifecycle step to a deployment: its status, its timestamps and a transition row.</summary>
public static class DeploymentSteps
{
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
