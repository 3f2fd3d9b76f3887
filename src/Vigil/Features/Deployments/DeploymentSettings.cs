using Vigil.Configuration;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Alerting.Routing;

namespace Vigil.Features.Deployments;

/// <summary>The <c>deployments:</c> section of vigil.yaml.</summary>
public sealed class DeploymentSettings
{
    /// <summary>
    /// Environments any service may be deployed to, beside the ones a service declares in the
    /// catalog (<c>services[].environments</c>), each with its change control.
    /// </summary>
    public List<DeploymentEnvironmentDefinition> Environments { get; set; } = [];

    /// <summary>How long before an incident opens a deployment to its services still shows on its timeline (default 60m).</summary>
    public string? IncidentLookback { get; set; }

    public const string DefaultIncidentLookback = "60m";

    public TimeSpan IncidentLookbackSpan => Duration.TryParse(IncidentLookback ?? DefaultIncidentLookback, out var span) && span > TimeSpan.Zero ? span : TimeSpan.FromMinutes(60);

    public DeploymentEnvironmentDefinition? Environment(string name) => Environments.FirstOrDefault(e => e.Name == name);
}

/// <summary>One entry of <c>deployments.environments</c>: its gates, approval and freezes.</summary>
public sealed class DeploymentEnvironmentDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary>The checklist: each gate must be ticked with evidence before a deployment here starts.</summary>
    public List<GateDefinition> Gates { get; set; } = [];
    /// <summary>A deployment here starts only once someone with <c>deployments.approve</c> approved it.</summary>
    public bool RequireApproval { get; set; }
    /// <summary>With <see cref="RequireApproval"/>: the approver must not be the deployment's author (SOX segregation of duties).</summary>
    public bool SegregationOfDuties { get; set; } = true;
    /// <summary>Windows when starting a deployment here is refused unless overridden with a reason.</summary>
    public List<FreezeDefinition> Freezes { get; set; } = [];
}

public sealed class GateDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Description { get; set; }
}

/// <summary>A change freeze, in the forms of a maintenance window: a schedule phrase, cron with duration, or starts_at/ends_at.</summary>
public sealed class FreezeDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Schedule { get; set; }
    public string? Cron { get; set; }
    public string? Duration { get; set; }
    public string? StartsAt { get; set; }
    public string? EndsAt { get; set; }
    public string? TimeZone { get; set; }
    public string? Reason { get; set; }

    /// <summary>The freeze's openings, compiled by the maintenance windows' <see cref="WindowSchedule"/> (same forms, same rules).</summary>
    public WindowSchedule? Compile(out List<FieldError> errors, string at) =>
        WindowSchedule.TryCompile(new MaintenanceWindowDefinition
        {
            Name = Name,
            Service = "-",
            Schedule = Schedule,
            Cron = Cron,
            Duration = Duration,
            StartsAt = StartsAt,
            EndsAt = EndsAt,
            TimeZone = TimeZone,
        }, out errors, at);
}

/// <summary>The <c>deployments:</c> rules: environment and gate names present and unique, freezes valid.</summary>
public static class DeploymentConfigRules
{
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        if (config.Deployments.IncidentLookback is { } lookback && (!Duration.TryParse(lookback, out var span) || span <= TimeSpan.Zero))
        {
            yield return new("deployments.incident_lookback", $"\"{lookback}\" is not a duration above 0 (write 60m, 2h)");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Deployments.Environments.Count; i++)
        {
            var environment = config.Deployments.Environments[i];
            var path = $"deployments.environments[{i}]";
            if (string.IsNullOrWhiteSpace(environment.Name))
            {
                yield return new($"{path}.name", "an environment name is required");
            }
            else if (!names.Add(environment.Name))
            {
                yield return new($"{path}.name", $"duplicate environment \"{environment.Name}\"");
            }
            var gates = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < environment.Gates.Count; j++)
            {
                if (string.IsNullOrWhiteSpace(environment.Gates[j].Name))
                {
                    yield return new($"{path}.gates[{j}].name", "a gate name is required");
                }
                else if (!gates.Add(environment.Gates[j].Name!))
                {
                    yield return new($"{path}.gates[{j}].name", $"duplicate gate \"{environment.Gates[j].Name}\"");
                }
            }
            for (var j = 0; j < environment.Freezes.Count; j++)
            {
                environment.Freezes[j].Compile(out var errors, $"{path}.freezes[{j}].");
                foreach (var error in errors)
                {
                    yield return error;
                }
            }
        }
    }
}
