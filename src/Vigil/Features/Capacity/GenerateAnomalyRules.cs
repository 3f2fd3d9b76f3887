using System.Globalization;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Capacity;

/// <summary>
/// The rule group of an anomaly template: "k standard deviations from a seasonal baseline", the
/// baseline being the same hour of the same weekday over the last N weeks. Recording rules write the
/// watched value now (<c>anomaly:NAME:current</c>), its value 1..N weeks ago
/// (<c>anomaly:NAME:seasonal{weeks_ago="i"}</c>, through a subquery so that history written before the
/// rule existed counts), and their mean and population standard deviation; one alerting rule fires when
/// |current − mean| &gt; k × stddev and the current value is above the minimum volume.
/// </summary>
public static class GenerateAnomalyRules
{
    public const string AlertName = "SeasonalAnomaly";

    public static string GroupName(string name) => $"anomaly:{name}";

    public static string Record(string name, string what) => $"anomaly:{name.Replace('-', '_').Replace('.', '_')}:{what}";

    public static RuleGroup For(AnomalyDefinition anomaly)
    {
        var name = anomaly.Name!;
        var series = anomaly.Series!.Trim();
        var labels = new List<KeyValuePair<string, string>> { new("anomaly", name) };
        if (anomaly.Service is { } service)
        {
            labels.Add(new("service", service));
        }
        var rules = new List<Rule>();
        void Recording(string record, string text, IReadOnlyList<KeyValuePair<string, string>> with) =>
            rules.Add(new Rule(null, record, text, PromQLParser.Parse(text), TimeSpan.Zero, TimeSpan.Zero, with, []));

        var (current, seasonal, mean, stddev) = (Record(name, "current"), Record(name, "seasonal"), Record(name, "baseline_mean"), Record(name, "baseline_stddev"));
        Recording(current, series, labels);
        for (var week = 1; week <= anomaly.Weeks; week++)
        {
            // A one-step subquery evaluates the series as it was exactly `week` weeks ago.
            Recording(seasonal, $"last_over_time(({series})[1m:1m] offset {week}w)", [.. labels, new("weeks_ago", week.ToString(CultureInfo.InvariantCulture))]);
        }
        var selector = $"{{anomaly=\"{name}\"}}";
        Recording(mean, $"avg without (weeks_ago) ({seasonal}{selector})", labels);
        Recording(stddev, $"stddev without (weeks_ago) ({seasonal}{selector})", labels);
        var k = GenerateCapacityRules.Number(anomaly.K);
        var text = $"abs({current}{selector} - {mean}{selector}) > {k} * {stddev}{selector} and {current}{selector} > {GenerateCapacityRules.Number(anomaly.MinVolume)}";
        rules.Add(new Rule(AlertName, null, text, PromQLParser.Parse(text), anomaly.For, TimeSpan.Zero,
            [.. labels, new("severity", anomaly.Severity ?? "warning")],
            [
                new("summary", anomaly.Summary ?? $"{name} is unusual for this hour of the week"),
                new("description", $"{name} is {{{{ $value }}}} away from its mean at this hour of this weekday over the last {anomaly.Weeks} weeks, more than {k} standard deviations."),
            ]));
        var group = GroupName(name);
        return new RuleGroup(group, group, null, rules, "rule", group);
    }
}
