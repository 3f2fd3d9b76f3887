using Vigil.Configuration;

namespace Vigil.Features.Deployments;

/// <summary>The <c>deployments:</c> section of vigil.yaml.</summary>
public sealed class DeploymentSettings
{
    /// <summary>
    /// Environments any service may be deployed to, beside the ones a service declares in the
    /// catalog (<c>services[].environments</c>); each may carry its change control.
    /// </summary>
    public List<DeploymentEnvironmentDefinition> Environments { get; set; } = [];
}

/// <summary>One entry of <c>deployments.environments</c>.</summary>
public sealed class DeploymentEnvironmentDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
}

/// <summary>The <c>deployments:</c> rules: environment names present and unique.</summary>
public static class DeploymentConfigRules
{
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
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
        }
    }
}
