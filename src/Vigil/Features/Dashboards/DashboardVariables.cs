using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Configuration;

namespace Vigil.Features.Dashboards;

/// <summary>
/// Grafana's variable syntax in queries (<c>$name</c>, <c>${name}</c>, <c>${name:format}</c>,
/// <c>[[name]]</c>) and the built-in interval variables, as a pure function of the time range and
/// the scrape interval.
/// </summary>
public static partial class DashboardVariables
{
    [GeneratedRegex(@"\$\{(?<b>[A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\[\[(?<s>[A-Za-z_][A-Za-z0-9_]*)\]\]|\$(?<d>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\s*label_values\(\s*(?:(?<selector>.+?)\s*,\s*)?(?<label>[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex LabelValuesQuery();

    /// <summary>The built-in variables a query may use without declaring them.</summary>
    public static IReadOnlyList<string> BuiltIns { get; } = ["__interval", "__interval_ms", "__rate_interval", "__range", "__range_s", "__range_ms"];

    /// <summary>
    /// The values of the built-ins for a range of <paramref name="rangeMs"/> charted with steps of
    /// <paramref name="stepMs"/> over series scraped every <paramref name="scrapeInterval"/>.
    /// Grafana defines <c>$__rate_interval</c> as max(<c>$__interval</c> + scrape interval, 4 × scrape interval)
    /// (https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/#use-__rate_interval),
    /// so that a rate always has at least four samples; <c>$__interval</c> is the step of the chart, and its
    /// Prometheus data source writes <c>$__range</c> in whole seconds (<c>21600s</c>).
    /// </summary>
    public static Dictionary<string, string> BuiltInValues(long rangeMs, long stepMs, TimeSpan scrapeInterval)
    {
        var scrapeMs = (long)scrapeInterval.TotalMilliseconds;
        var rateMs = Math.Max(stepMs + scrapeMs, 4 * scrapeMs);
        var rangeS = rangeMs / 1000;
        return new(StringComparer.Ordinal)
        {
            ["__interval"] = Duration.Format(TimeSpan.FromMilliseconds(stepMs)),
            ["__interval_ms"] = stepMs.ToString(CultureInfo.InvariantCulture),
            ["__rate_interval"] = Duration.Format(TimeSpan.FromMilliseconds(rateMs)),
            ["__range"] = rangeS.ToString(CultureInfo.InvariantCulture) + "s",
            ["__range_s"] = rangeS.ToString(CultureInfo.InvariantCulture),
            ["__range_ms"] = rangeMs.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The query with every known variable replaced; the names it uses that <paramref name="values"/> lacks are returned.</summary>
    public static (string Query, IReadOnlyList<string> Unknown) Interpolate(string query, IReadOnlyDictionary<string, string> values)
    {
        var unknown = new List<string>();
        var result = Reference().Replace(query, m =>
        {
            var name = m.Groups["b"].Success ? m.Groups["b"].Value : m.Groups["s"].Success ? m.Groups["s"].Value : m.Groups["d"].Value;
            if (values.TryGetValue(name, out var value))
            {
                return value;
            }
            unknown.Add(name);
            return m.Value;
        });
        return (result, unknown.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary><c>label_values(up{job="api"}, instance)</c> as (selector, label); the selector is null for <c>label_values(instance)</c>.</summary>
    public static (string? Selector, string Label)? ParseLabelValues(string? query)
    {
        if (query is null || LabelValuesQuery().Match(query) is not { Success: true } m)
        {
            return null;
        }
        return (m.Groups["selector"].Success ? m.Groups["selector"].Value : null, m.Groups["label"].Value);
    }

    /// <summary>Values that stand in for the variables when a query is only parsed (on save): any label value or duration fits.</summary>
    public static Dictionary<string, string> Placeholders(IEnumerable<VariableDefinition> variables)
    {
        var values = BuiltInValues(3_600_000, 15_000, TimeSpan.FromMinutes(1));
        foreach (var v in variables)
        {
            if (v.Name is { } name)
            {
                values[name] = v.Value ?? v.Options?.FirstOrDefault() ?? "placeholder";
            }
        }
        return values;
    }

    /// <summary>Grafana's legend format: <c>{{label}}</c> replaced by the series' value of that label.</summary>
    public static string Legend(string? format, IReadOnlyDictionary<string, string> labels, string fallback)
    {
        if (string.IsNullOrWhiteSpace(format) || format == "__auto")
        {
            return fallback;
        }
        var text = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            var open = format.IndexOf("{{", i, StringComparison.Ordinal);
            var close = open < 0 ? -1 : format.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (open < 0 || close < 0)
            {
                text.Append(format, i, format.Length - i);
                break;
            }
            text.Append(format, i, open - i);
            text.Append(labels.TryGetValue(format[(open + 2)..close].Trim(), out var value) ? value : "");
            i = close + 2;
        }
        return text.ToString();
    }
}
