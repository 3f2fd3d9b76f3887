using System.Text.RegularExpressions;
using Vigil.Configuration;

namespace Vigil.Features.Alerting.Rules;

/// <summary>
/// Reads the rule groups of <c>alerting:</c> when the configuration is loaded: every file of
/// <c>rule_files</c> (paths or globs relative to vigil.yaml's directory, read as Prometheus reads
/// them) and one group named <c>vigil.yaml</c> with the short-form <c>rules</c>. A rule file that
/// does not load makes the whole configuration invalid, so a reload keeps the rules in force.
/// </summary>
public static partial class LoadRuleGroups
{
    /// <summary>The name of the group that holds the short-form rules of vigil.yaml.</summary>
    public const string ShortFormGroup = "vigil.yaml";

    [GeneratedRegex(@"^(?<file>.+?): (?<line>\d+):(?<column>\d+): (?<reason>.*)$", RegexOptions.Singleline)]
    private static partial Regex PositionedError();

    public static IReadOnlyList<ConfigError> Load(AlertingSettings settings, string configFile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(configFile))!;
        var errors = new List<ConfigError>();
        var groups = new List<RuleGroup>();
        foreach (var pattern in settings.RuleFiles)
        {
            var files = Expand(directory, pattern).ToList();
            if (files.Count == 0 && !pattern.Contains('*', StringComparison.Ordinal))
            {
                errors.Add(new ConfigError(configFile, 0, 0, $"alerting.rule_files: no such file: {pattern}"));
            }
            foreach (var file in files)
            {
                var (loaded, loadErrors) = RuleFile.Load(file, positionEveryError: true);
                foreach (var error in loadErrors)
                {
                    var m = PositionedError().Match(error);
                    errors.Add(m.Success
                        ? new ConfigError(m.Groups["file"].Value, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["reason"].Value)
                        : new ConfigError(file, 0, 0, error.StartsWith(file + ": ", StringComparison.Ordinal) ? error[(file.Length + 2)..] : error));
                }
                groups.AddRange(loaded);
            }
        }
        if (settings.Rules.Count > 0)
        {
            var aliases = ShortFormRule.Aliases(settings);
            var rules = new List<Rule>();
            foreach (var rule in settings.Rules.Where(r => r.Name is not null))
            {
                try
                {
                    rules.Add(ShortFormRule.Compile(rule, aliases));
                }
                catch (FormatException)
                {
                    // Reported with its position by ShortFormRule.Validate.
                }
            }
            groups.Add(new RuleGroup(ShortFormGroup, Path.GetFullPath(configFile), null, rules));
        }
        if (settings.MonitorRules is { Enabled: true, CertificateExpiryDays: > 0 } monitorRules)
        {
            groups.Add(CertificateExpiryGroup(monitorRules, Path.GetFullPath(configFile)));
        }
        settings.LoadedGroups = groups;
        return errors;
    }

    /// <summary>The name of the group of built-in monitor rules evaluated as PromQL.</summary>
    public const string MonitorGroup = "monitor_rules";

    /// <summary>CertificateExpiring over the samples TLS and HTTPS monitors write (<c>vigil_monitor_cert_expiry_seconds</c>).</summary>
    private static RuleGroup CertificateExpiryGroup(MonitorRuleSettings settings, string file)
    {
        var text = $"vigil_monitor_cert_expiry_seconds < {settings.CertificateExpiryDays * 86400}";
        var rule = new Rule("CertificateExpiring", null, text, Vigil.Metrics.PromQL.PromQLParser.Parse(text), TimeSpan.Zero, TimeSpan.Zero,
            [new("severity", settings.CertificateSeverity)],
            [new("summary", "The certificate of {{ $labels.monitor }} expires in {{ $value | humanizeDuration }}")]);
        return new RuleGroup(MonitorGroup, file, null, [rule], "monitor");
    }

    /// <summary>Validation of the short-form rules and aliases, addressed by path in vigil.yaml.</summary>
    public static IEnumerable<FieldError> Validate(AlertingSettings settings)
    {
        var aliases = ShortFormRule.Aliases(settings);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var rule = settings.Rules[i];
            if (rule.Name is not null && !names.Add(rule.Name))
            {
                yield return new FieldError($"alerting.rules[{i}].name", $"duplicate rule name \"{rule.Name}\"");
            }
            foreach (var error in ShortFormRule.Validate(rule, $"alerting.rules[{i}].", aliases))
            {
                yield return error;
            }
        }
        if (settings.EvaluationInterval <= TimeSpan.Zero)
        {
            yield return new FieldError("alerting.evaluation_interval", "must be more than 0");
        }
        if (settings.ExternalUrl is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            yield return new FieldError("alerting.external_url", $"\"{url}\" is not an absolute URL");
        }
        foreach (var name in settings.ExternalLabels.Keys.Where(n => !LabelName().IsMatch(n)))
        {
            yield return new FieldError($"alerting.external_labels.{name}", $"invalid label name \"{name}\"");
        }
    }

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^alerting\s*:", RegexOptions.Multiline)]
    private static partial Regex AlertingKey();

    [GeneratedRegex(@"^groups\s*:", RegexOptions.Multiline)]
    private static partial Regex GroupsKey();

    /// <summary>
    /// The rule groups of a Prometheus rule file, or of a vigil.yaml (a file with a top-level
    /// <c>alerting:</c> and no <c>groups:</c>): its short-form rules (group <c>vigil.yaml</c>) and
    /// the rule files it names, so that <c>vigil rules test</c> and <c>check</c> take either. A
    /// vigil.yaml's errors are the configuration's, as <c>file:line:column: reason</c>.
    /// </summary>
    public static (IReadOnlyList<RuleGroup> Groups, IReadOnlyList<string> Errors) LoadFileOrConfig(string path, string? displayName = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return RuleFile.Load(path, displayName);
        }
        if (!AlertingKey().IsMatch(text) || GroupsKey().IsMatch(text))
        {
            return RuleFile.Load(path, displayName);
        }
        var loaded = ConfigLoader.Load(path);
        return ([.. loaded.Config.Alerting.LoadedGroups.Where(g => g.Name != MonitorGroup)], [.. loaded.Errors.Select(e => e.ToString())]);
    }

    private static IEnumerable<string> Expand(string directory, string pattern)
    {
        var full = Path.Combine(directory, pattern);
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return File.Exists(full) ? [full] : [];
        }
        var folder = Path.GetDirectoryName(full)!;
        return Directory.Exists(folder) ? Directory.GetFiles(folder, Path.GetFileName(full)).Order(StringComparer.Ordinal) : [];
    }
}
