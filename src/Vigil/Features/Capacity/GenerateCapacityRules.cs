using System.Globalization;
using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Capacity;

/// <summary>
/// The rule group a service's capacity model generates for the alerting slice: one alert per scaling
/// trigger (its condition held for its <c>for</c>, labelled <c>capacity_action</c>, with the
/// recommendation in its annotations), and one <c>CapacityRunsOut</c> alert per resource with
/// <c>runs_out_within</c>, which fires when <c>predict_linear</c> over the resource's history reaches the
/// limit within that time.
/// </summary>
public static class GenerateCapacityRules
{
    public const string RunsOutAlert = "CapacityRunsOut";

    public static string GroupName(string service) => $"capacity:{service}";

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>How much history a trend is fitted over when the resource does not say.</summary>
    public static TimeSpan DefaultHistory { get; } = TimeSpan.FromDays(30);

    /// <summary>The short-form aliases plus each resource's utilisation, usage / limit (0..1), under its name.</summary>
    public static IReadOnlyDictionary<string, string> Aliases(CapacityServiceDefinition service, IReadOnlyDictionary<string, string> aliases)
    {
        var all = new Dictionary<string, string>(aliases, StringComparer.Ordinal);
        foreach (var resource in service.Resources.Where(r => r.Name is not null && r.Usage is not null && r.Limit is > 0))
        {
            all[resource.Name!] = $"({resource.Usage!.Trim()}) / {Number(resource.Limit!.Value)}";
        }
        return all;
    }

    /// <exception cref="FormatException">The condition is not <c>NAME OP NUMBER[UNIT]</c>.</exception>
    public static string TriggerExpression(CapacityTriggerDefinition trigger, string? service, IReadOnlyDictionary<string, string> aliases) =>
        trigger.Expr?.Trim() ?? ShortFormRule.ConditionToPromQL(trigger.Condition!, service, aliases);

    public static string DefaultAlertName(string action) => action switch
    {
        "scale_down" => "CapacityScaleDown",
        "add_read_replica" => "CapacityAddReadReplica",
        _ => "CapacityScaleUp",
    };

    /// <summary>The step of the <c>predict_linear</c> subquery: about 720 points over the history, at least a minute.</summary>
    public static TimeSpan TrendStep(TimeSpan history) =>
        TimeSpan.FromMinutes(Math.Max(1, Math.Round(history.TotalMinutes / 720)));

    /// <summary>A duration in PromQL, whole days as days (<c>30d</c>, not <c>4w2d</c>).</summary>
    public static string PromDuration(TimeSpan value) =>
        value > TimeSpan.Zero && value.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)value.TotalDays}d" : Duration.Format(value);

    /// <summary>The alert expression of a resource's <c>runs_out_within</c>.</summary>
    public static string RunsOutExpression(CapacityResourceDefinition resource, TimeSpan within)
    {
        var history = resource.History ?? DefaultHistory;
        return $"predict_linear(({resource.Usage!.Trim()})[{PromDuration(history)}:{PromDuration(TrendStep(history))}], {Number(within.TotalSeconds)}) > {Number(resource.Limit!.Value)}";
    }

    /// <summary>The group of a valid service definition (see <see cref="CapacityRules"/>).</summary>
    public static RuleGroup For(CapacityServiceDefinition service, IReadOnlyDictionary<string, string> shortFormAliases)
    {
        var aliases = Aliases(service, shortFormAliases);
        var rules = new List<Rule>();
        foreach (var (list, listAction) in new[] { (service.ScaleUp, "scale_up"), (service.ScaleDown, "scale_down") })
        {
            foreach (var trigger in list)
            {
                var action = trigger.Action ?? listAction;
                var text = TriggerExpression(trigger, service.Name, aliases);
                var what = trigger.Condition ?? text;
                var annotations = new List<KeyValuePair<string, string>>
                {
                    new("summary", $"{service.Name}: {what} for {Duration.Format(trigger.For)}"),
                    new("description", $"{service.Name} has met the {action.Replace('_', ' ')} trigger \"{what}\" for {Duration.Format(trigger.For)} (value {{{{ $value }}}})."),
                };
                if (trigger.Recommendation is { } recommendation)
                {
                    annotations.Add(new("recommendation", recommendation));
                }
                rules.Add(new Rule(trigger.Name ?? DefaultAlertName(action), null, text, PromQLParser.Parse(text), trigger.For, TimeSpan.Zero,
                    [new("service", service.Name!), new("severity", trigger.Severity ?? "warning"), new("capacity_action", action)],
                    annotations));
            }
        }
        foreach (var resource in service.Resources.Where(r => r.RunsOutWithin is not null))
        {
            var within = PromDuration(resource.RunsOutWithin!.Value);
            var text = RunsOutExpression(resource, resource.RunsOutWithin.Value);
            var limit = $"{Number(resource.Limit!.Value)}{(resource.Unit is null ? "" : " " + resource.Unit)}";
            rules.Add(new Rule(RunsOutAlert, null, text, PromQLParser.Parse(text), TimeSpan.Zero, TimeSpan.Zero,
                [new("service", service.Name!), new("resource", resource.Name!), new("severity", "warning"), new("capacity_action", "scale_up")],
                [
                    new("summary", $"{resource.Name} of {service.Name} runs out within {within}"),
                    new("description", $"At the trend of the last {PromDuration(resource.History ?? DefaultHistory)}, {resource.Name} of {service.Name} reaches its limit of {limit} within {within} (forecast {{{{ $value }}}})."),
                    new("recommendation", $"raise the limit of {resource.Name} or add capacity before it runs out"),
                ]));
        }
        var name = GroupName(service.Name!);
        return new RuleGroup(name, name, null, rules, "rule", name);
    }
}
