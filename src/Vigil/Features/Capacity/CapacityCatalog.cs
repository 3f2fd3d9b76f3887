using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;

namespace Vigil.Features.Capacity;

/// <summary>
/// The capacity models and anomaly templates of the configuration in force, and the rule groups they
/// generate, which the rule evaluation loop takes as an <see cref="IRuleGroupSource"/>. Capacity lives
/// in vigil.yaml only, so a reload replaces all of it.
/// </summary>
public sealed class CapacityCatalog : IRuleGroupSource, IConfigConsumer
{
    private volatile CapacitySettings settings = new();
    private volatile IReadOnlyList<RuleGroup> groups = [];

    public CapacitySettings Settings => settings;

    public IReadOnlyList<RuleGroup> Groups => groups;

    public event Action? Changed;

    public CapacityServiceDefinition? Find(string service) => settings.Services.FirstOrDefault(s => s.Name == service);

    /// <summary>The rule groups of a valid configuration's <c>capacity:</c>.</summary>
    public static IReadOnlyList<RuleGroup> Generate(VigilConfig config)
    {
        var aliases = ShortFormRule.Aliases(config.Alerting);
        return
        [
            .. config.Capacity.Services.Select(s => GenerateCapacityRules.For(s, aliases)),
            .. config.Capacity.Anomaly.Select(GenerateAnomalyRules.For),
        ];
    }

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        groups = Generate(config);
        settings = config.Capacity;
        Changed?.Invoke();
        return Task.CompletedTask;
    }
}
