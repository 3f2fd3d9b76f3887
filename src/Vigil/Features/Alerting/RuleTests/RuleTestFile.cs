using Vigil.Features.Alerting.Rules;
using Vigil.Features.Notifications;
using Vigil.Features.Templates;

namespace Vigil.Features.Alerting.RuleTests;

/// <summary>A promtool rule unit test file (the format of <c>promtool test rules</c>).</summary>
/// <param name="EvaluationInterval">Zero when the file gives none (promtool then uses 1m).</param>
public sealed record RuleTestFile(
    IReadOnlyList<string> RuleFiles,
    TimeSpan EvaluationInterval,
    IReadOnlyList<string> GroupEvalOrder,
    IReadOnlyList<RuleTestGroup> Tests);

/// <param name="Interval">Zero when the test group gives none.</param>
public sealed record RuleTestGroup(
    string Name,
    TimeSpan Interval,
    IReadOnlyList<(string Series, string Values)> InputSeries,
    IReadOnlyList<AlertTestCase> AlertRuleTests,
    IReadOnlyList<ExprTestCase> PromqlExprTests,
    IReadOnlyList<KeyValuePair<string, string>> ExternalLabels,
    string ExternalUrl);

/// <summary>An expected alert: labels and annotations as written, empty values included (promtool compares them too).</summary>
public sealed record ExpectedAlert(IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<KeyValuePair<string, string>> Annotations);

public sealed record AlertTestCase(TimeSpan EvalTime, string AlertName, IReadOnlyList<ExpectedAlert> ExpAlerts);

public sealed record ExprTestCase(string Expr, TimeSpan EvalTime, IReadOnlyList<(string Labels, double Value)> ExpSamples);

/// <summary>
/// Reads a test file strictly, as promtool 2.42 does (gopkg.in/yaml.v2's <c>UnmarshalStrict</c> into
/// cmd/promtool/unittest.go's types): unknown and repeated fields and values of the wrong type are
/// collected as <c>yaml: unmarshal errors:</c> with their lines; a bad duration stops the reading
/// with its error alone (model.Duration's own unmarshaller fails the decoding).
/// </summary>
public static class RuleTestFileReader
{
    private sealed class DurationException(string message) : Exception(message);

    public static RuleTestFile Read(string path)
    {
        GoYamlNode? root;
        try
        {
            root = GoYaml.Load(File.ReadAllText(path));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException(GoYaml.SyntaxError(e));
        }
        var errors = new List<string>();
        var decoder = new Decoder(errors);
        RuleTestFile file;
        try
        {
            file = decoder.File(root);
        }
        catch (DurationException e)
        {
            throw new FormatException(e.Message);
        }
        if (errors.Count > 0)
        {
            throw new FormatException("yaml: unmarshal errors:\n" + string.Join("\n", errors.Select(e => "  " + e)));
        }
        return file;
    }

    private sealed class Decoder(List<string> errors)
    {
        public RuleTestFile File(GoYamlNode? root)
        {
            IReadOnlyList<string> ruleFiles = [], order = [];
            IReadOnlyList<RuleTestGroup> tests = [];
            var interval = TimeSpan.Zero;
            Struct(root, "unitTestFile", new()
            {
                ["rule_files"] = n => ruleFiles = List(n, "string", Str),
                ["evaluation_interval"] = n => interval = Duration(n),
                ["group_eval_order"] = n => order = List(n, "string", Str),
                ["tests"] = n => tests = List(n, "main.testGroup", Group),
            });
            return new RuleTestFile(ruleFiles, interval, order, tests);
        }

        private RuleTestGroup Group(GoYamlNode node)
        {
            var interval = TimeSpan.Zero;
            IReadOnlyList<(string, string)> series = [];
            IReadOnlyList<AlertTestCase> alerts = [];
            IReadOnlyList<ExprTestCase> exprs = [];
            IReadOnlyList<KeyValuePair<string, string>> externalLabels = [];
            string url = "", name = "";
            Struct(node, "testGroup", new()
            {
                ["interval"] = n => interval = Duration(n),
                ["input_series"] = n => series = List(n, "main.series", Series),
                ["alert_rule_test"] = n => alerts = List(n, "main.alertTestCase", AlertTest),
                ["promql_expr_test"] = n => exprs = List(n, "main.promqlTestCase", ExprTest),
                ["external_labels"] = n => externalLabels = StringMap(n),
                ["external_url"] = n => url = Str(n),
                ["name"] = n => name = Str(n),
            });
            return new RuleTestGroup(name, interval, series, alerts, exprs, externalLabels, url);
        }

        private (string, string) Series(GoYamlNode node)
        {
            string series = "", values = "";
            Struct(node, "series", new() { ["series"] = n => series = Str(n), ["values"] = n => values = Str(n) });
            return (series, values);
        }

        private AlertTestCase AlertTest(GoYamlNode node)
        {
            var time = TimeSpan.Zero;
            var name = "";
            IReadOnlyList<ExpectedAlert> expected = [];
            Struct(node, "alertTestCase", new()
            {
                ["eval_time"] = n => time = Duration(n),
                ["alertname"] = n => name = Str(n),
                ["exp_alerts"] = n => expected = List(n, "main.alert", Alert),
            });
            return new AlertTestCase(time, name, expected);
        }

        private ExpectedAlert Alert(GoYamlNode node)
        {
            IReadOnlyList<KeyValuePair<string, string>> labels = [], annotations = [];
            Struct(node, "alert", new() { ["exp_labels"] = n => labels = StringMap(n), ["exp_annotations"] = n => annotations = StringMap(n) });
            return new ExpectedAlert(labels, annotations);
        }

        private ExprTestCase ExprTest(GoYamlNode node)
        {
            var expr = "";
            var time = TimeSpan.Zero;
            IReadOnlyList<(string, double)> samples = [];
            Struct(node, "promqlTestCase", new()
            {
                ["expr"] = n => expr = Str(n),
                ["eval_time"] = n => time = Duration(n),
                ["exp_samples"] = n => samples = List(n, "main.sample", Sample),
            });
            return new ExprTestCase(expr, time, samples);
        }

        private (string, double) Sample(GoYamlNode node)
        {
            var labels = "";
            var value = 0.0;
            Struct(node, "sample", new() { ["labels"] = n => labels = Str(n), ["value"] = n => value = Float(n) });
            return (labels, value);
        }

        private void Struct(GoYamlNode? node, string type, Dictionary<string, Action<GoYamlNode>> fields)
        {
            if (node is null || node.IsNull)
            {
                return;
            }
            if (node.Kind != GoYamlKind.Mapping)
            {
                errors.Add(GoYaml.TypeError(node, "main." + type));
                return;
            }
            var done = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (key, value) in node.Pairs)
            {
                var name = key.Value;
                if (!fields.TryGetValue(name, out var read))
                {
                    errors.Add($"line {key.Line}: field {name} not found in type main.{type}");
                }
                else if (!done.Add(name))
                {
                    errors.Add($"line {key.Line}: field {name} already set in type main.{type}");
                }
                else
                {
                    read(value);
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
                errors.Add(GoYaml.TypeError(node, "[]" + type));
            }
            return [];
        }

        private string Str(GoYamlNode node)
        {
            if (node.Kind == GoYamlKind.Scalar)
            {
                return node.IsNull ? "" : node.Value;
            }
            errors.Add(GoYaml.TypeError(node, "string"));
            return "";
        }

        private List<KeyValuePair<string, string>> StringMap(GoYamlNode node)
        {
            var map = new List<KeyValuePair<string, string>>();
            if (node.Kind != GoYamlKind.Mapping)
            {
                if (!node.IsNull)
                {
                    errors.Add(GoYaml.TypeError(node, "map[string]string"));
                }
                return map;
            }
            foreach (var (key, value) in node.Pairs)
            {
                var name = Str(key);
                if (map.Any(kv => kv.Key == name))
                {
                    errors.Add($"line {key.Line}: key {GoJson.Quote(name)} already set in map");
                    continue;
                }
                map.Add(new(name, Str(value)));
            }
            return map;
        }

        private double Float(GoYamlNode node)
        {
            if (node.Kind == GoYamlKind.Scalar && node.Tag is "!!int" or "!!float")
            {
                return GoYaml.Number(node);
            }
            if (!node.IsNull)
            {
                errors.Add(GoYaml.TypeError(node, "float64"));
            }
            return 0;
        }

        private TimeSpan Duration(GoYamlNode node)
        {
            if (node.IsNull || node.Kind != GoYamlKind.Scalar)
            {
                Str(node);
                return TimeSpan.Zero;
            }
            var text = node.Value;
            return Configuration.Duration.TryParse(text, out var d) ? d
                : throw new DurationException(text.Length == 0 ? "empty duration string" : $"not a valid duration string: {GoJson.Quote(text)}");
        }
    }
}
