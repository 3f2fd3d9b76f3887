using System.Text.RegularExpressions;
using Cronos;
using Vigil.Configuration;
using Vigil.Features.Catalog;

namespace Vigil.Features.Monitors;

/// <summary>
/// The rules a monitor definition must follow, shared by config validation, the API and
/// <c>vigil monitor test</c>. Errors are addressed by path (<c>monitors[3].conditions[0].body_regex</c>).
/// </summary>
public static partial class MonitorRules
{
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex SampleName();

    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <param name="environmentsOf">The environments of a catalog service, or null when there is no such service.</param>
    public static IEnumerable<FieldError> Validate(MonitorDefinition d, string prefix, Func<string, IReadOnlyCollection<string>?> environmentsOf)
    {
        if (string.IsNullOrWhiteSpace(d.Name))
        {
            yield return new($"{prefix}name", "is required");
        }
        else if (!ServiceRules.NamePattern().IsMatch(d.Name))
        {
            yield return new($"{prefix}name", ServiceRules.NameRule);
        }
        if (d.Type is null)
        {
            yield return new($"{prefix}type", "is required: http, tcp, dns, tls, heartbeat, dependency_health, multi_step, websocket or icmp");
        }
        if (string.IsNullOrWhiteSpace(d.Service))
        {
            yield return new($"{prefix}service", "is required: the catalog service this monitor checks");
        }
        else if (environmentsOf(d.Service) is not { } environments)
        {
            yield return new($"{prefix}service", $"unknown service \"{d.Service}\"");
        }
        else if (d.Environment is not null && !environments.Contains(d.Environment))
        {
            yield return new($"{prefix}environment", $"service \"{d.Service}\" has no environment \"{d.Environment}\"");
        }
        if (d.Interval is { } interval && interval < MinimumInterval)
        {
            yield return new($"{prefix}interval", "must be at least 1s");
        }
        if (d.Timeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(100) || timeout > TimeSpan.FromMinutes(5)))
        {
            yield return new($"{prefix}timeout", "must be between 100ms and 5m");
        }
        if (d.Severity is { } severity && (string.IsNullOrWhiteSpace(severity) || severity.Length > 64))
        {
            yield return new($"{prefix}severity", "a severity label value of 1 to 64 characters (critical, warning, info, P3, ...)");
        }
        if (d.Retries is < 0 or > 10)
        {
            yield return new($"{prefix}retries", "must be 0 to 10");
        }
        foreach (var error in d.Type switch
        {
            MonitorType.Http => ValidateRequest(d.Url, d.Method, d.ExpectedStatus, d.Conditions, prefix, "http"),
            MonitorType.DependencyHealth => ValidateUrl(d.Url, prefix, "url", "http"),
            MonitorType.Websocket => ValidateUrl(d.Url, prefix, "url", "ws"),
            MonitorType.Tcp or MonitorType.Tls => ValidateHost(d, prefix, portRequired: d.Type == MonitorType.Tcp),
            MonitorType.Icmp => ValidateHost(d, prefix, portRequired: false),
            MonitorType.Dns => ValidateDns(d, prefix),
            MonitorType.Heartbeat => ValidateHeartbeat(d, prefix),
            MonitorType.MultiStep => ValidateSteps(d.Steps, prefix),
            _ => [],
        })
        {
            yield return error;
        }
        foreach (var (name, path) in d.JsonSamples ?? [])
        {
            if (d.Type != MonitorType.Http)
            {
                yield return new($"{prefix}json_samples", "only http monitors export JSON values");
                break;
            }
            if (!SampleName().IsMatch(name))
            {
                yield return new($"{prefix}json_samples.{name}", "a name is letters, digits and _ (memory_used)");
            }
            else if (!JsonPath.TryParse(path, out _))
            {
                yield return new($"{prefix}json_samples.{name}", $"\"{path}\" is not a path like memory.used");
            }
        }
        if (d.Type == MonitorType.Tls && d.MinTlsVersion is not null and not "1.2" and not "1.3")
        {
            yield return new($"{prefix}min_tls_version", "must be \"1.2\" or \"1.3\"");
        }
        if (d.WarningDays is < 0 || d.CriticalDays is < 0)
        {
            yield return new($"{prefix}{(d.WarningDays is < 0 ? "warning_days" : "critical_days")}", "must not be negative");
        }
    }

    private static IEnumerable<FieldError> ValidateRequest(string? url, string? method, List<int>? expected, List<ConditionDefinition>? conditions, string prefix, string scheme)
    {
        foreach (var e in ValidateUrl(url, prefix, "url", scheme))
        {
            yield return e;
        }
        if (method is not null && !Regex.IsMatch(method, "^[A-Z]{3,10}$"))
        {
            yield return new($"{prefix}method", $"\"{method}\" is not an HTTP method (GET, POST, HEAD, ...)");
        }
        for (var i = 0; i < (expected?.Count ?? 0); i++)
        {
            if (expected![i] is < 100 or > 599)
            {
                yield return new($"{prefix}expected_status[{i}]", "must be an HTTP status code (100-599)");
            }
        }
        for (var i = 0; i < (conditions?.Count ?? 0); i++)
        {
            foreach (var e in ValidateCondition(conditions![i], $"{prefix}conditions[{i}]"))
            {
                yield return e;
            }
        }
    }

    private static IEnumerable<FieldError> ValidateCondition(ConditionDefinition c, string at)
    {
        var kinds = new[] { c.BodyContains, c.BodyNotContains, c.BodyRegex, c.JsonPath, c.HeaderPresent }.Count(x => x is not null);
        if (kinds != 1)
        {
            yield return new(at, "give exactly one of body_contains, body_not_contains, body_regex, json_path (with equals), header_present");
            yield break;
        }
        if (c.BodyRegex is not null && !IsRegex(c.BodyRegex, out var reason))
        {
            yield return new($"{at}.body_regex", $"invalid regular expression: {reason}");
        }
        if (c.JsonPath is not null && !JsonPath.TryParse(c.JsonPath, out _))
        {
            yield return new($"{at}.json_path", $"\"{c.JsonPath}\" is not a path like data.items[0].id");
        }
        var comparisons = new object?[] { c.JsonEquals, c.LessThan, c.GreaterThan, c.Between }.Count(x => x is not null);
        if (comparisons > 0 && c.JsonPath is null)
        {
            yield return new($"{at}.json_path", "equals, less_than, greater_than and between compare the value at json_path: give json_path");
        }
        if (comparisons > 1 && !(c.JsonEquals is null && c.Between is null))
        {
            yield return new(at, "give one of equals, less_than, greater_than, between (less_than with greater_than is allowed)");
        }
        foreach (var (key, operand) in new[] { ("less_than", c.LessThan), ("greater_than", c.GreaterThan) })
        {
            if (operand is not null && !Probes.JsonComparison.TryParseOperand(operand, out _))
            {
                yield return new($"{at}.{key}", $"\"{operand}\" is not a number, a path or a number * a path (0.8 * memory.total)");
            }
        }
        if (c.Between is { } range && (range.Count != 2 || range[0] > range[1]))
        {
            yield return new($"{at}.between", "give two numbers, low then high: [0, 100]");
        }
    }

    private static bool IsRegex(string pattern, out string reason)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            reason = "";
            return true;
        }
        catch (ArgumentException e)
        {
            reason = e.Message;
            return false;
        }
    }

    private static IEnumerable<FieldError> ValidateUrl(string? url, string prefix, string key, string scheme)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            yield return new($"{prefix}{key}", "is required");
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != scheme && uri.Scheme != scheme + "s") || string.IsNullOrEmpty(uri.Host))
        {
            yield return new($"{prefix}{key}", $"\"{url}\" is not an absolute {scheme}(s) URL");
        }
    }

    private static IEnumerable<FieldError> ValidateHost(MonitorDefinition d, string prefix, bool portRequired)
    {
        if (string.IsNullOrWhiteSpace(d.Host) || Uri.CheckHostName(d.Host) == UriHostNameType.Unknown)
        {
            yield return new($"{prefix}host", d.Host is null ? "is required" : $"\"{d.Host}\" is not a host name or address");
        }
        if (d.Port is null && portRequired)
        {
            yield return new($"{prefix}port", "is required");
        }
        else if (d.Port is < 1 or > 65535)
        {
            yield return new($"{prefix}port", "must be 1-65535");
        }
    }

    private static IEnumerable<FieldError> ValidateDns(MonitorDefinition d, string prefix)
    {
        if (string.IsNullOrWhiteSpace(d.Query))
        {
            yield return new($"{prefix}query", "is required: the name to resolve");
        }
        if (d.Host is not null && Uri.CheckHostName(d.Host) == UriHostNameType.Unknown)
        {
            yield return new($"{prefix}host", $"\"{d.Host}\" is not a name server address");
        }
        if (d.Port is < 1 or > 65535)
        {
            yield return new($"{prefix}port", "must be 1-65535");
        }
    }

    private static IEnumerable<FieldError> ValidateHeartbeat(MonitorDefinition d, string prefix)
    {
        if ((d.Period is null) == (d.Cron is null))
        {
            yield return new($"{prefix}period", "give exactly one of period (e.g. 1h) or cron (e.g. \"0 3 * * *\")");
        }
        if (d.Period is { } period && period < MinimumInterval)
        {
            yield return new($"{prefix}period", "must be at least 1s");
        }
        if (d.Cron is not null && !TryCron(d.Cron, out _))
        {
            yield return new($"{prefix}cron", $"\"{d.Cron}\" is not a 5-field cron expression");
        }
        if (d.Token is not null && !System.Text.RegularExpressions.Regex.IsMatch(d.Token, "^[A-Za-z0-9_-]{16,64}$"))
        {
            yield return new($"{prefix}token", "must be 16-64 letters, digits, '_' or '-'");
        }
    }

    public static bool TryCron(string text, out CronExpression? cron)
    {
        try
        {
            cron = CronExpression.Parse(text, CronFormat.Standard);
            return true;
        }
        catch (CronFormatException)
        {
            cron = null;
            return false;
        }
    }

    private static IEnumerable<FieldError> ValidateSteps(List<StepDefinition>? steps, string prefix)
    {
        if (steps is not { Count: > 0 })
        {
            yield return new($"{prefix}steps", "a multi-step check needs at least one step");
            yield break;
        }
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            var at = $"{prefix}steps[{i}].";
            // ${name} placeholders are resolved at run time; validate the URL with them filled in.
            var url = s.Url is null ? null : Regex.Replace(s.Url, @"\$\{[^}]+\}", "x");
            foreach (var e in ValidateRequest(url, s.Method, s.ExpectedStatus, s.Conditions, at, "http"))
            {
                yield return e;
            }
            foreach (var (name, source) in s.Extract ?? [])
            {
                var ok = source.StartsWith("header:", StringComparison.Ordinal) ||
                         (source.StartsWith("json:", StringComparison.Ordinal) && JsonPath.TryParse(source[5..], out _));
                if (!ok)
                {
                    yield return new($"{at}extract.{name}", "must be json:PATH or header:NAME");
                }
            }
        }
    }
}
