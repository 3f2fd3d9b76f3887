namespace Vigil.Features.Deployments;

/// <summary>The states of a deployment: pending → in_progress → succeeded | failed | rolled_back.</summary>
public static class DeploymentStatus
{
    public const string Pending = "pending";
    public const string InProgress = "in_progress";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string RolledBack = "rolled_back";

    public static IReadOnlyList<string> All { get; } = [Pending, InProgress, Succeeded, Failed, RolledBack];

    public static bool IsFinished(string status) => status is Succeeded or Failed or RolledBack;
}

/// <summary>How the new version replaces the old one; Vigil records it, the deployer does the shifting.</summary>
public static class DeploymentStrategy
{
    public const string Rolling = "rolling";
    public const string BlueGreen = "blue_green";
    public const string Canary = "canary";

    public static IReadOnlyList<string> All { get; } = [Rolling, BlueGreen, Canary];
}

public enum DeploymentStep
{
    Allowed,
    UnknownState,
    AlreadyInState,
    /// <summary>Finishing a deployment that has not started, starting one that has finished, and the like.</summary>
    OutOfOrder,
}

/// <summary>
/// The lifecycle as a table. A deployment starts once, finishes once (succeeded or failed), and
/// may be rolled back while it runs or after it finished, unless it was already rolled back. A
/// pending deployment may also be rolled back (abandoned before it started).
/// </summary>
public static class DeploymentLifecycle
{
    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [DeploymentStatus.Pending] = [DeploymentStatus.InProgress, DeploymentStatus.RolledBack],
        [DeploymentStatus.InProgress] = [DeploymentStatus.Succeeded, DeploymentStatus.Failed, DeploymentStatus.RolledBack],
        [DeploymentStatus.Succeeded] = [DeploymentStatus.RolledBack],
        [DeploymentStatus.Failed] = [DeploymentStatus.RolledBack],
        [DeploymentStatus.RolledBack] = [],
    };

    public static DeploymentStep Check(string from, string to) =>
        !Next.ContainsKey(to) ? DeploymentStep.UnknownState
        : from == to ? DeploymentStep.AlreadyInState
        : Next[from].Contains(to) ? DeploymentStep.Allowed
        : DeploymentStep.OutOfOrder;

    public static string Explain(DeploymentStep step, string from, string to) => step switch
    {
        DeploymentStep.UnknownState => $"unknown state \"{to}\": use one of {string.Join(", ", DeploymentStatus.All)}",
        DeploymentStep.AlreadyInState => $"the deployment is already {from}",
        DeploymentStep.OutOfOrder when from == DeploymentStatus.Pending => $"the deployment is pending: start it before it can become {to}",
        DeploymentStep.OutOfOrder => $"a deployment that is {from} cannot become {to}",
        _ => "",
    };
}
