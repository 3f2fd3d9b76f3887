using Vigil.Configuration;

namespace Vigil.Features.Deployments;

/// <summary>
/// Whether a deployment may start now under its environment's change control: every gate ticked,
/// approved when approval is required, and outside every freeze unless overridden with a reason.
/// A pure decision; the first thing that refuses it names the field to fix.
/// </summary>
public static class ChangeControl
{
    public static FieldError? Refusal(DeploymentEnvironmentDefinition? environment, Deployment deployment, DateTimeOffset now, string? overrideReason)
    {
        if (environment is null)
        {
            return null;
        }
        var ticked = deployment.GateTicks.Select(t => t.Gate).ToHashSet(StringComparer.Ordinal);
        if (environment.Gates.FirstOrDefault(g => !ticked.Contains(g.Name!)) is { } open)
        {
            var missing = environment.Gates.Where(g => !ticked.Contains(g.Name!)).Select(g => g.Name).ToList();
            return new FieldError($"gates.{open.Name}", $"not ticked: {environment.Name} needs every gate ticked with evidence before a deployment starts (missing: {string.Join(", ", missing)})");
        }
        if (environment.RequireApproval && deployment.ApprovedBy is null)
        {
            return new FieldError("approval", $"{environment.Name} requires an approval before a deployment starts");
        }
        if (string.IsNullOrWhiteSpace(overrideReason) && FreezeAt(environment, now) is { } freeze)
        {
            return new FieldError("override_reason", $"change freeze \"{freeze.Name}\" is in force{(freeze.Reason is null ? "" : $" ({freeze.Reason})")}: give override_reason to deploy anyway");
        }
        return null;
    }

    /// <summary>The freeze in force at <paramref name="now"/>, if any.</summary>
    public static FreezeDefinition? FreezeAt(DeploymentEnvironmentDefinition environment, DateTimeOffset now) =>
        environment.Freezes.FirstOrDefault(f => f.Compile(out _, "")?.IsOpenAt(now) == true);
}
