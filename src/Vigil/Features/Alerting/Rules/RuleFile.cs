using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Features.Alerting.Templates;
using Vigil.Metrics.PromQL;
using YamlDotNet.RepresentationModel;

namespace Vigil.Features.Alerting.Rules;

/// <summary>A group of rules evaluated together, in order, on one interval.</summary>
/// <param name="Source">The <see cref="IncomingAlert.Source"/> of its alerts: <c>rule</c>, or <c>monitor</c> for the built-in monitor rules.</param>
/// <param name="GeneratedBy">What generated the group when no file holds it (e.g. <c>slo:checkout-availability</c>); null for groups read from files and vigil.yaml.</param>
public sealed record RuleGroup(string Name, string File, TimeSpan? Interval, IReadOnlyList<Rule> Rules, string Source = "rule", string? GeneratedBy = null);

/// <summary>
/// Rule groups that another area generates (SLO burn-rate rules), evaluated by the rule loop
/// like the groups of the rule files; <see cref="Changed"/> makes the loop take the new groups.
/// </summary>
public interface IRuleGroupSource
{
    IReadOnlyList<RuleGroup> Groups { get; }

    event Action? Changed;
}

/// <summary>An alerting rule (<see cref="Alert"/> set) or a recording rule (<see cref="Record"/> set), as in Prometheus rule files.</summary>
public sealed record Rule(
    string? Alert,
    string? Record,
    string ExprText,
    Expr Expr,
    TimeSpan For,
    TimeSpan KeepFiringFor,
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    IReadOnlyList<KeyValuePair<string, string>> Annotations)
{
    public string Name => Alert ?? Record!;
}

/// <summary>
/// Reads Prometheus rule files unchanged (<c>groups:</c> → <c>rules:</c> with <c>alert</c>/<c>record</c>,
/// <c>expr</c>, <c>for</c>, <c>keep_firing_for</c>, <c>labels</c>, <c>annotations</c>), checking them
/// as <c>promtool check rules</c> does and reporting errors in its words:
/// <c>file: 5:15: group "g", rule 1, "Name": could not parse expression: ...</c>.
/// </summary>
public static partial class RuleFile
{
    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    public static (IReadOnlyList<RuleGroup> Groups, IReadOnlyList<string> Errors) Load(string path, string? displayName = null)
    {
        var name = displayName ?? path;
        var errors = new List<string>();
        var groups = new List<RuleGroup>();
        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(path)));
            root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        }
        catch (Exception e) when (e is IOException or YamlDotNet.Core.YamlException or UnauthorizedAccessException)
        {
            return ([], [$"{name}: {e.Message}"]);
        }
        if (root is not YamlMappingNode top)
        {
            return ([], []);
        }
        foreach (var (key, _) in top.Children)
        {
            if (Str(key) != "groups")
            {
                errors.Add($"{name}: {key.Start.Line}:{key.Start.Column}: field {Str(key)} not found in type rulefmt.RuleGroups");
            }
        }
        var seenGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var groupNode in Seq(top, "groups"))
        {
            if (groupNode is not YamlMappingNode g)
            {
                continue;
            }
            var groupName = Str(Get(g, "name")) ?? "";
            if (groupName.Length == 0)
            {
                errors.Add($"{name}: {g.Start.Line}:{g.Start.Column}: groupname must not be empty");
            }
            else if (!seenGroups.Add(groupName))
            {
                errors.Add($"{name}: {g.Start.Line}:{g.Start.Column}: groupname: \"{groupName}\" is repeated in the same file");
            }
            TimeSpan? interval = null;
            if (Str(Get(g, "interval")) is { } intervalText)
            {
                interval = Duration.TryParse(intervalText, out var i) ? i : null;
            }
            var rules = new List<Rule>();
            var index = 0;
            foreach (var ruleNode in Seq(g, "rules"))
            {
                index++;
                if (ruleNode is YamlMappingNode r)
                {
                    var rule = ReadRule(r, name, groupName, index, errors);
                    if (rule is not null)
                    {
                        rules.Add(rule);
                    }
                }
            }
            groups.Add(new RuleGroup(groupName, path, interval, rules));
        }
        return (groups, errors);
    }

    private static Rule? ReadRule(YamlMappingNode r, string file, string group, int index, List<string> errors)
    {
        var alert = Str(Get(r, "alert"));
        var record = Str(Get(r, "record"));
        var exprNode = Get(r, "expr");
        var exprText = Str(exprNode) ?? "";
        var where = $"group \"{group}\", rule {index}, \"{alert ?? record}\"";
        void Fail(YamlNode? node, string reason) =>
            errors.Add($"{file}: {(node ?? r).Start.Line}:{(node ?? r).Start.Column}: {where}: {reason}");

        if ((alert is null) == (record is null))
        {
            Fail(null, "one of 'record' or 'alert' must be set");
            return null;
        }
        if (record is not null && !MetricName().IsMatch(record))
        {
            Fail(Get(r, "record"), $"invalid recording rule name: {record}");
        }
        if (exprText.Length == 0)
        {
            Fail(exprNode, "field 'expr' must be set in rule");
            return null;
        }
        Expr expr;
        try
        {
            expr = PromQLParser.Parse(exprText);
        }
        catch (PromQLParseException e)
        {
            Fail(exprNode, $"could not parse expression: {e.Message}");
            return null;
        }
        if (record is not null && (Get(r, "annotations") is not null || Get(r, "for") is not null))
        {
            Fail(null, "invalid field 'annotations' or 'for' in recording rule");
        }
        var labels = Map(r, "labels");
        var annotations = Map(r, "annotations");
        foreach (var (key, value) in labels.Concat(annotations))
        {
            if (!LabelName().IsMatch(key))
            {
                Fail(null, $"invalid label name: {key}");
            }
            try
            {
                AlertTemplate.Parse(value);
            }
            catch (TemplateException e)
            {
                Fail(null, $"template: __alert_{alert ?? record}:1: {e.Message}");
            }
        }
        return new Rule(alert, record, exprText, expr, DurationOf(r, "for"), DurationOf(r, "keep_firing_for"), labels, annotations);
    }

    private static TimeSpan DurationOf(YamlMappingNode r, string key) =>
        Str(Get(r, key)) is { } text && Duration.TryParse(text, out var d) ? d : TimeSpan.Zero;

    private static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Str(YamlNode? node) => node is YamlScalarNode s ? s.Value : null;

    private static IEnumerable<YamlNode> Seq(YamlMappingNode map, string key) =>
        Get(map, key) is YamlSequenceNode seq ? seq.Children : [];

    private static List<KeyValuePair<string, string>> Map(YamlMappingNode map, string key) =>
        Get(map, key) is YamlMappingNode m
            ? [.. m.Children.Select(kv => new KeyValuePair<string, string>(Str(kv.Key) ?? "", Str(kv.Value) ?? ""))]
            : [];
}
