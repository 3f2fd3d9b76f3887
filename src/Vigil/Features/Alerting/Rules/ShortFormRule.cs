using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Alerting.Rules;

/// <summary>
/// The names a short-form <c>condition</c> may use, each a PromQL expression. <c>$filter</c> in an
/// expression stands for the rule's matchers (<c>service="checkout"</c> when the rule names a
/// service, nothing otherwise). Ratios are 0..1, times are seconds, as Prometheus's base units.
/// A name that is not an alias is used as a metric name. Every alias keeps the <c>service</c> label
/// of its series (aggregations are <c>by (service, ...)</c>), so that routes and titles can use it.
/// </summary>
public static class MetricAliases
{
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["error_rate"] = """sum by (service) (rate(http_requests_total{code=~"5..",$filter}[5m])) / sum by (service) (rate(http_requests_total{$filter}[5m]))""",
        ["response_time_p95"] = """histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{$filter}[5m])))""",
        ["response_time_p99"] = """histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{$filter}[5m])))""",
        ["cpu_usage"] = """1 - avg by (service, instance) (rate(node_cpu_seconds_total{mode="idle",$filter}[5m]))""",
        ["memory_usage"] = """1 - node_memory_MemAvailable_bytes{$filter} / node_memory_MemTotal_bytes{$filter}""",
        ["disk_usage"] = """1 - node_filesystem_avail_bytes{$filter} / node_filesystem_size_bytes{$filter}""",
    };
}

/// <summary>
/// Compiles a short-form rule (<see cref="ShortRuleDefinition"/>) to a Prometheus alerting rule:
/// <c>error_rate &gt; 5%</c> becomes the alias's expression <c>&gt; 0.05</c>; <c>2000ms</c> is 2
/// (seconds); <c>duration</c> is <c>for</c>; <c>severity</c>, <c>service</c> and <c>channels</c>
/// (joined by commas: <c>channels="slack,email"</c>) are labels the router matches;
/// <c>summary</c>, <c>description</c> and <c>runbook</c> (as <c>runbook_url</c>) are annotations.
/// </summary>
public static partial class ShortFormRule
{
    [GeneratedRegex(@"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9]*\.?[0-9]+)\s*(%|ms|s|m|h)?\s*$")]
    private static partial Regex Condition();

    [GeneratedRegex(@"^\s*(\d+)\s*(seconds?|secs?|minutes?|mins?|hours?)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Words();

    public static IEnumerable<FieldError> Validate(ShortRuleDefinition rule, string path, IReadOnlyDictionary<string, string> aliases)
    {
        if ((rule.Condition is null) == (rule.Expr is null))
        {
            yield return new FieldError(path + "condition", "set one of condition (e.g. \"error_rate > 5%\") or expr (PromQL)");
            yield break;
        }
        string? error = null;
        try
        {
            Compile(rule, aliases);
        }
        catch (FormatException e)
        {
            error = e.Message;
        }
        if (error is not null)
        {
            yield return new FieldError(path + (rule.Expr is null ? "condition" : "expr"), error);
        }
        if (rule.Duration is not null && !TryParseDuration(rule.Duration, out _))
        {
            yield return new FieldError(path + "duration", $"invalid duration \"{rule.Duration}\": write e.g. 5 minutes, 5m or immediate");
        }
    }

    /// <summary>The alias table in force: the defaults, then <c>alerting.metrics</c>.</summary>
    public static IReadOnlyDictionary<string, string> Aliases(AlertingSettings settings)
    {
        var aliases = new Dictionary<string, string>(MetricAliases.Defaults, StringComparer.Ordinal);
        foreach (var (name, expr) in settings.Metrics)
        {
            aliases[name] = expr;
        }
        return aliases;
    }

    /// <exception cref="FormatException">The condition, expression or duration cannot be read.</exception>
    public static Rule Compile(ShortRuleDefinition rule, IReadOnlyDictionary<string, string> aliases)
    {
        var text = rule.Expr ?? ConditionToPromQL(rule.Condition!, rule.Service, aliases);
        Expr expr;
        try
        {
            expr = PromQLParser.Parse(text);
        }
        catch (PromQLParseException e)
        {
            throw new FormatException(rule.Expr is null ? $"condition compiles to \"{text}\", which does not parse: {e.Message}" : $"could not parse expression: {e.Message}");
        }
        var labels = new List<KeyValuePair<string, string>>();
        void Label(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                labels.Add(new(name, value));
            }
        }
        Label("severity", rule.Severity);
        Label("service", rule.Service);
        Label("channels", string.Join(",", rule.Channels));
        var annotations = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in new[] { ("summary", rule.Summary), ("description", rule.Description), ("runbook_url", rule.Runbook) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                annotations.Add(new(name, value));
            }
        }
        var holdFor = rule.Duration is not null && TryParseDuration(rule.Duration, out var d) ? d : TimeSpan.Zero;
        return new Rule(rule.Name, null, text, expr, holdFor, TimeSpan.Zero, labels, annotations);
    }

    public static string ConditionToPromQL(string condition, string? service, IReadOnlyDictionary<string, string> aliases)
    {
        var match = Condition().Match(condition);
        if (!match.Success)
        {
            throw new FormatException($"condition \"{condition}\" is not NAME OP NUMBER[UNIT], e.g. error_rate > 5% or response_time_p95 > 2000ms");
        }
        var name = match.Groups[1].Value;
        var number = double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
        // Prometheus's base units: ratios 0..1 and seconds.
        var threshold = match.Groups[4].Value switch
        {
            "%" => number / 100,
            "ms" => number / 1000,
            "m" => number * 60,
            "h" => number * 3600,
            _ => number,
        };
        var filter = service is null ? "" : $"service=\"{service.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        var left = aliases.TryGetValue(name, out var alias)
            ? "(" + alias.Replace("$filter", filter, StringComparison.Ordinal).Replace("{,", "{", StringComparison.Ordinal).Replace(",}", "}", StringComparison.Ordinal) + ")"
            : filter.Length > 0 ? $"{name}{{{filter}}}" : name;
        return $"{left} {match.Groups[2].Value} {threshold.ToString("R", CultureInfo.InvariantCulture)}";
    }

    /// <summary><c>5 minutes</c>, <c>30 seconds</c>, <c>1 hour</c>, <c>immediate</c>, or a Prometheus duration (<c>5m</c>).</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Trim() is "immediate" or "immediately" or "0")
        {
            return true;
        }
        var words = Words().Match(text);
        if (words.Success)
        {
            var n = int.Parse(words.Groups[1].Value, CultureInfo.InvariantCulture);
            value = char.ToLowerInvariant(words.Groups[2].Value[0]) switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromHours(n),
            };
            return true;
        }
        return Configuration.Duration.TryParse(text.Trim(), out value);
    }
}
