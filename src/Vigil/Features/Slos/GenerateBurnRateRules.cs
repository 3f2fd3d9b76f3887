using System.Globalization;
using Vigil.Configuration;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Slos;

/// <summary>
/// The rule group each SLO generates for the alerting slice, as Sloth generates it
/// (sloth.dev "Prometheus rules": <c>slo:sli_error:ratio_rate&lt;window&gt;</c> recording rules, then
/// multi-window multi-burn-rate alerts): the error ratio recorded over 5m, 30m, 1h, 2h, 6h, 1d and 3d,
/// and one <c>ErrorBudgetBurn</c> alert per pair of the SRE workbook's table 5-8, firing when the ratio
/// exceeds factor × (1 − target) over both the long and the short window (no <c>for</c>: the short
/// window is what makes the alert wait and reset).
/// </summary>
public static class GenerateBurnRateRules
{
    public const string AlertName = "ErrorBudgetBurn";

    public static string RecordName(TimeSpan window) => $"slo:sli_error:ratio_rate{Duration.Format(window)}";

    public static RuleGroup For(Slo slo)
    {
        var labels = new List<KeyValuePair<string, string>> { new("slo", slo.Name), new("service", slo.Service) };
        var rules = new List<Rule>();
        foreach (var window in ErrorBudget.RecordedWindows)
        {
            var text = slo.ErrorRatioQuery(window);
            rules.Add(new Rule(null, RecordName(window), text, PromQLParser.Parse(text), TimeSpan.Zero, TimeSpan.Zero, labels, []));
        }
        var selector = $"{{slo=\"{slo.Name}\"}}";
        foreach (var pair in ErrorBudget.Alerts)
        {
            var threshold = Math.Round(pair.Factor * (1 - slo.Target), 12).ToString("R", CultureInfo.InvariantCulture);
            var text = $"({RecordName(pair.LongWindow)}{selector} > {threshold}) and ({RecordName(pair.ShortWindow)}{selector} > {threshold})";
            var factor = pair.Factor.ToString(CultureInfo.InvariantCulture);
            var (longWindow, shortWindow) = (Duration.Format(pair.LongWindow), Duration.Format(pair.ShortWindow));
            rules.Add(new Rule(AlertName, null, text, PromQLParser.Parse(text), TimeSpan.Zero, TimeSpan.Zero,
                [.. labels, new("severity", pair.Severity), new("burn_rate", factor), new("long_window", longWindow), new("short_window", shortWindow)],
                [
                    new("summary", $"{slo.Name} burns its error budget {factor}x too fast"),
                    new("description", $"The error ratio of {slo.Name} is {{{{ $value | humanizePercentage }}}} over the last {longWindow} and above {threshold} over the last {shortWindow}; at this rate the {slo.Window} budget lasts {ErrorBudget.Describe(slo.PeriodLength(DateTimeOffset.UnixEpoch) / pair.Factor)}."),
                ]));
        }
        return new RuleGroup($"slo:{slo.Name}", $"slo:{slo.Name}", null, rules, "rule", $"slo:{slo.Name}");
    }
}
