using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Features.Notifications;
using Vigil.Features.Templates;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Alerting.Rules;

/// <summary>A group of rules evaluated together, in order, on one interval.</summary>
/// <param name="Source">The <see cref="IncomingAlert.Source"/> of its alerts: <c>rule</c>, or <c>monitor</c> for the built-in monitor rules.</param>
/// <param name="GeneratedBy">What generated the group when no file holds it (e.g. <c>slo:checkout-availability</c>); null for groups read from files and vigil.yaml.</param>
public sealed record RuleGroup(string Name, string File, TimeSpan? Interval, IReadOnlyList<Rule> Rules, string Source = "rule", string? GeneratedBy = null)
{
    /// <summary>The group's <c>limit</c>: more alerts or recorded series than this fail the rule's evaluation; 0 for none.</summary>
    public int Limit { get; init; }
}

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

    /// <param name="positionEveryError">
    /// Give the rule's line and column to the errors promtool prints without any (labels, templates),
    /// so that a server reload can point at them; false for promtool's exact words.
    /// </param>
    public static (IReadOnlyList<RuleGroup> Groups, IReadOnlyList<string> Errors) Load(string path, string? displayName = null, bool positionEveryError = false)
    {
        var name = displayName ?? path;
        GoYamlNode? root;
        try
        {
            root = GoYaml.Load(File.ReadAllText(path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ([], [$"{name}: open {path}: no such file or directory"]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], [$"{name}: {e.Message}"]);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            // rulefmt.Parse decodes the file twice, and both decodings report a syntax error.
            var message = $"{name}: yaml: line {e.Start.Line}: {e.Message}";
            return ([], [message, message]);
        }
        var decoded = new Decoder();
        List<GroupNode> groups;
        try
        {
            groups = decoded.File(root);
        }
        catch (FormatException e)
        {
            return ([], [$"{name}: {e.Message}"]);
        }
        if (decoded.Errors.Count > 0)
        {
            return ([], [$"{name}: yaml: unmarshal errors:\n" + string.Join("\n", decoded.Errors.Select(e => "  " + e))]);
        }
        var errors = new List<string>();
        var result = new List<RuleGroup>();
        var seenGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            if (g.Name.Length == 0)
            {
                errors.Add($"{name}: {g.Node.Line}:{g.Node.Column}: Groupname must not be empty");
            }
            if (!seenGroups.Add(g.Name))
            {
                errors.Add($"{name}: {g.Node.Line}:{g.Node.Column}: groupname: \"{g.Name}\" is repeated in the same file");
            }
            var rules = new List<Rule>();
            for (var i = 0; i < g.Rules.Count; i++)
            {
                if (Validate(g.Rules[i], $"{name}: ", $"group {GoJson.Quote(g.Name)}, rule {i + 1}", positionEveryError, errors) is { } rule)
                {
                    rules.Add(rule);
                }
            }
            result.Add(new RuleGroup(g.Name, path, g.Interval, rules) { Limit = g.Limit });
        }
        return (result, errors);
    }

    /// <summary>
    /// promtool check rules' duplicate-rules lint (cmd/promtool/main.go, checkDuplicates): rules with
    /// the same name and the same labels, in its words; null when there are none.
    /// </summary>
    public static string? Duplicates(IReadOnlyList<RuleGroup> groups)
    {
        var rules = groups.SelectMany(g => g.Rules)
            .Select(r => (Name: r.Name, Labels: Vigil.Metrics.Labels.FromSorted([.. r.Labels.Select(l => new Vigil.Metrics.Label(l.Key, l.Value)).OrderBy(l => l.Name, StringComparer.Ordinal)])))
            .OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Labels, Comparer<Vigil.Metrics.Labels>.Create(Vigil.Metrics.Labels.Compare))
            .ToList();
        var duplicates = new List<(string Name, Vigil.Metrics.Labels Labels)>();
        for (var i = 1; i < rules.Count; i++)
        {
            if (Same(rules[i - 1], rules[i]) && (duplicates.Count == 0 || !Same(rules[i - 1], duplicates[^1])))
            {
                duplicates.Add(rules[i]);
            }
        }
        if (duplicates.Count == 0)
        {
            return null;
        }
        var message = new System.Text.StringBuilder($"lint error {duplicates.Count} duplicate rule(s) found.\n");
        foreach (var (ruleName, labels) in duplicates)
        {
            message.Append($"Metric: {ruleName}\nLabel(s):\n");
            foreach (var label in labels)
            {
                message.Append($"\t{label.Name}: {label.Value}\n");
            }
        }
        return message.Append("Might cause inconsistency while recording expressions").ToString();

        static bool Same((string Name, Vigil.Metrics.Labels Labels) a, (string Name, Vigil.Metrics.Labels Labels) b) =>
            a.Name == b.Name && a.Labels.Equals(b.Labels);
    }

    private sealed record GroupNode(GoYamlNode Node, string Name, TimeSpan? Interval, int Limit, List<RuleNode> Rules);

    private sealed record RuleNode(GoYamlNode Node, GoYamlNode? Record, GoYamlNode? Alert, GoYamlNode? Expr, TimeSpan For, TimeSpan KeepFiringFor, List<KeyValuePair<string, string>> Labels, List<KeyValuePair<string, string>> Annotations);

    /// <summary>
    /// rulefmt.RuleNode.Validate of Prometheus 2.42, its checks in its order, each error as it prints
    /// it: with the line and column of the field it is about, or none for labels and templates.
    /// </summary>
    private static Rule? Validate(RuleNode r, string file, string where, bool positionEveryError, List<string> errors)
    {
        var record = r.Record?.Kind == GoYamlKind.Scalar ? r.Record.Value : "";
        var alert = r.Alert?.Kind == GoYamlKind.Scalar ? r.Alert.Value : "";
        var exprText = r.Expr?.Kind == GoYamlKind.Scalar ? r.Expr.Value : "";
        var ruleName = alert.Length > 0 ? alert : record;
        var at = $"{where}, {GoJson.Quote(ruleName)}";
        static string Position(GoYamlNode? node) => node is null ? "0:0: " : $"{node.Line}:{node.Column}: ";
        void Fail(string position, string reason) =>
            errors.Add($"{file}{(position.Length == 0 && positionEveryError ? Position(r.Node) : position)}{at}: {reason}");
        var count = errors.Count;

        if (record.Length > 0 && alert.Length > 0)
        {
            Fail(Position(r.Record) + Position(r.Alert), "only one of 'record' and 'alert' must be set");
        }
        if (record.Length == 0 && alert.Length == 0)
        {
            Fail(Position(r.Record), "one of 'record' or 'alert' must be set");
        }
        Expr? expr = null;
        if (exprText.Length == 0)
        {
            Fail(Position(r.Expr), "field 'expr' must be set in rule");
        }
        else
        {
            try
            {
                expr = PromQLParser.Parse(exprText);
            }
            catch (PromQLParseException e)
            {
                Fail(Position(r.Expr), $"could not parse expression: {e.Message}");
            }
        }
        if (record.Length > 0)
        {
            if (r.Annotations.Count > 0)
            {
                Fail(Position(r.Record), "invalid field 'annotations' in recording rule");
            }
            if (r.For != TimeSpan.Zero)
            {
                Fail(Position(r.Record), "invalid field 'for' in recording rule");
            }
            if (r.KeepFiringFor != TimeSpan.Zero)
            {
                Fail(Position(r.Record), "invalid field 'keep_firing_for' in recording rule");
            }
            if (!MetricName().IsMatch(record))
            {
                Fail(Position(r.Record), $"invalid recording rule name: {record}");
            }
        }
        foreach (var (key, _) in r.Labels)
        {
            if (!LabelName().IsMatch(key) || key == "__name__")
            {
                Fail("", $"invalid label name: {key}");
            }
        }
        foreach (var (key, _) in r.Annotations)
        {
            if (!LabelName().IsMatch(key))
            {
                Fail("", $"invalid annotation name: {key}");
            }
        }
        if (alert.Length > 0)
        {
            foreach (var (kind, pairs) in new[] { ("label", r.Labels), ("annotation", r.Annotations) })
            {
                foreach (var (key, value) in pairs)
                {
                    try
                    {
                        AlertTemplate.Parse(value);
                    }
                    catch (TemplateException e)
                    {
                        Fail("", $"{kind} {GoJson.Quote(key)}: template: __alert_{alert}:1: {e.Message}");
                    }
                }
            }
        }
        if (errors.Count > count || expr is null)
        {
            return null;
        }
        return new Rule(alert.Length > 0 ? alert : null, alert.Length > 0 ? null : record, exprText, expr, r.For, r.KeepFiringFor, r.Labels, r.Annotations);
    }

    /// <summary>
    /// Decodes a rule file as rulefmt.Parse does with yaml.v3 and KnownFields: unknown fields and
    /// values of the wrong type are collected; a bad duration ends the decoding with its error alone.
    /// </summary>
    private sealed class Decoder
    {
        public List<string> Errors { get; } = [];

        public List<GroupNode> File(GoYamlNode? root)
        {
            var groups = new List<GroupNode>();
            Struct(root, "RuleGroups", new() { ["groups"] = n => groups = List(n, "[]rulefmt.RuleGroup", Group) });
            return groups;
        }

        private GroupNode Group(GoYamlNode node)
        {
            var name = "";
            TimeSpan? interval = null;
            var limit = 0;
            var rules = new List<RuleNode>();
            Struct(node, "RuleGroup", new()
            {
                ["name"] = n => name = Str(n),
                ["interval"] = n => interval = Duration(n),
                ["limit"] = n => limit = Int(n),
                ["rules"] = n => rules = List(n, "[]rulefmt.RuleNode", Rule),
            });
            return new GroupNode(node, name, interval, limit, rules);
        }

        private RuleNode Rule(GoYamlNode node)
        {
            GoYamlNode? record = null, alert = null, expr = null;
            TimeSpan forDuration = TimeSpan.Zero, keepFiringFor = TimeSpan.Zero;
            List<KeyValuePair<string, string>> labels = [], annotations = [];
            Struct(node, "RuleNode", new()
            {
                ["record"] = n => record = n,
                ["alert"] = n => alert = n,
                ["expr"] = n => expr = n,
                ["for"] = n => forDuration = Duration(n),
                ["keep_firing_for"] = n => keepFiringFor = Duration(n),
                ["labels"] = n => labels = StringMap(n),
                ["annotations"] = n => annotations = StringMap(n),
            });
            return new RuleNode(node, record, alert, expr, forDuration, keepFiringFor, labels, annotations);
        }

        private void Struct(GoYamlNode? node, string type, Dictionary<string, Action<GoYamlNode>> fields)
        {
            if (node is null || node.IsNull)
            {
                return;
            }
            if (node.Kind != GoYamlKind.Mapping)
            {
                Errors.Add(GoYaml.TypeError(node, "rulefmt." + type));
                return;
            }
            foreach (var (key, value) in node.Pairs)
            {
                if (fields.TryGetValue(key.Value, out var read))
                {
                    read(value);
                }
                else
                {
                    Errors.Add($"line {key.Line}: field {key.Value} not found in type rulefmt.{type}");
                }
            }
        }

        private List<T> List<T>(GoYamlNode node, string type, Func<GoYamlNode, T> item)
        {
            if (node.Kind == GoYamlKind.Sequence)
            {
                return [.. node.Items.Select(item)];
            }
            if (!node.IsNull)
            {
                Errors.Add(GoYaml.TypeError(node, type));
            }
            return [];
        }

        private string Str(GoYamlNode node)
        {
            if (node.Kind == GoYamlKind.Scalar)
            {
                return node.IsNull ? "" : node.Value;
            }
            Errors.Add(GoYaml.TypeError(node, "string"));
            return "";
        }

        private int Int(GoYamlNode node)
        {
            if (node.Kind == GoYamlKind.Scalar && node.Tag == "!!int")
            {
                return (int)GoYaml.Number(node);
            }
            if (!node.IsNull)
            {
                Errors.Add(GoYaml.TypeError(node, "int"));
            }
            return 0;
        }

        private List<KeyValuePair<string, string>> StringMap(GoYamlNode node)
        {
            if (node.Kind != GoYamlKind.Mapping)
            {
                if (!node.IsNull)
                {
                    Errors.Add(GoYaml.TypeError(node, "map[string]string"));
                }
                return [];
            }
            return [.. node.Pairs.Select(p => new KeyValuePair<string, string>(Str(p.Key), Str(p.Value)))];
        }

        private TimeSpan Duration(GoYamlNode node)
        {
            if (node.IsNull || node.Kind != GoYamlKind.Scalar)
            {
                Str(node);
                return TimeSpan.Zero;
            }
            return Configuration.Duration.TryParse(node.Value, out var d) ? d
                : throw new FormatException(node.Value.Length == 0 ? "empty duration string" : $"not a valid duration string: {GoJson.Quote(node.Value)}");
        }
    }
}
