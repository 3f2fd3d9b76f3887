using YamlDotNet.RepresentationModel;

namespace Vigil.Features.Alerting.RuleTests;

/// <summary>A promtool rule unit test file (the format of <c>promtool test rules</c>).</summary>
public sealed record RuleTestFile(
    IReadOnlyList<string> RuleFiles,
    TimeSpan EvaluationInterval,
    IReadOnlyList<string> GroupEvalOrder,
    IReadOnlyList<RuleTestGroup> Tests);

public sealed record RuleTestGroup(
    string Name,
    TimeSpan Interval,
    IReadOnlyList<(string Series, string Values)> InputSeries,
    IReadOnlyList<AlertTestCase> AlertRuleTests,
    IReadOnlyList<ExprTestCase> PromqlExprTests,
    IReadOnlyDictionary<string, string> ExternalLabels,
    string ExternalUrl);

public sealed record AlertTestCase(TimeSpan EvalTime, string AlertName, IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)> ExpAlerts);

public sealed record ExprTestCase(string Expr, TimeSpan EvalTime, IReadOnlyList<(string Labels, double Value)> ExpSamples);

/// <summary>
/// Reads a test file strictly, as promtool does (Go's <c>yaml.UnmarshalStrict</c>): an unknown field
/// fails the whole file with <c>line N: field X not found in type main.T</c>.
/// </summary>
public static class RuleTestFileReader
{
    private static readonly Dictionary<string, string[]> Fields = new()
    {
        ["unitTestFile"] = ["rule_files", "evaluation_interval", "group_eval_order", "tests"],
        ["testGroup"] = ["interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url", "name"],
        ["series"] = ["series", "values"],
        ["alertTestCase"] = ["eval_time", "alertname", "exp_alerts"],
        ["alert"] = ["exp_labels", "exp_annotations"],
        ["promqlTestCase"] = ["expr", "eval_time", "exp_samples"],
        ["sample"] = ["labels", "value"],
    };

    public static RuleTestFile Read(string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"yaml: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}");
        }
        var errors = new List<string>();
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        if (root is null)
        {
            throw new FormatException("yaml: the test file is empty");
        }
        Check(root, "unitTestFile", errors);
        var tests = Seq(root, "tests").OfType<YamlMappingNode>().Select(t => ReadGroup(t, errors)).ToList();
        if (errors.Count > 0)
        {
            throw new FormatException("yaml: unmarshal errors:\n" + string.Join("\n", errors.Select(e => "  " + e)));
        }
        return new RuleTestFile(
            [.. Seq(root, "rule_files").Select(Str)],
            Dur(Get(root, "evaluation_interval"), TimeSpan.FromMinutes(1)),
            [.. Seq(root, "group_eval_order").Select(Str)],
            tests);
    }

    private static RuleTestGroup ReadGroup(YamlMappingNode t, List<string> errors)
    {
        Check(t, "testGroup", errors);
        var series = Seq(t, "input_series").OfType<YamlMappingNode>().Select(s =>
        {
            Check(s, "series", errors);
            return (Str(Get(s, "series")), Str(Get(s, "values")));
        }).ToList();
        var alerts = Seq(t, "alert_rule_test").OfType<YamlMappingNode>().Select(a =>
        {
            Check(a, "alertTestCase", errors);
            var expected = Seq(a, "exp_alerts").OfType<YamlMappingNode>().Select(e =>
            {
                Check(e, "alert", errors);
                return ((IReadOnlyDictionary<string, string>)Map(Get(e, "exp_labels")), (IReadOnlyDictionary<string, string>)Map(Get(e, "exp_annotations")));
            }).ToList();
            return new AlertTestCase(Dur(Get(a, "eval_time"), TimeSpan.Zero), Str(Get(a, "alertname")), expected);
        }).ToList();
        var exprs = Seq(t, "promql_expr_test").OfType<YamlMappingNode>().Select(x =>
        {
            Check(x, "promqlTestCase", errors);
            var samples = Seq(x, "exp_samples").OfType<YamlMappingNode>().Select(s =>
            {
                Check(s, "sample", errors);
                return (Str(Get(s, "labels")), Vigil.Metrics.PromQL.Testing.SeriesNotation.ParseValues(Str(Get(s, "value")))[0].Value);
            }).ToList();
            return new ExprTestCase(Str(Get(x, "expr")), Dur(Get(x, "eval_time"), TimeSpan.Zero), samples);
        }).ToList();
        return new RuleTestGroup(
            Str(Get(t, "name")),
            Dur(Get(t, "interval"), TimeSpan.FromMinutes(1)),
            series,
            alerts,
            exprs,
            Map(Get(t, "external_labels")),
            Str(Get(t, "external_url")));
    }

    private static void Check(YamlMappingNode node, string type, List<string> errors)
    {
        foreach (var (key, _) in node.Children)
        {
            if (!Fields[type].Contains(Str(key)))
            {
                errors.Add($"line {key.Start.Line}: field {Str(key)} not found in type main.{type}");
            }
        }
    }

    private static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string Str(YamlNode? node) => (node as YamlScalarNode)?.Value ?? "";

    private static IEnumerable<YamlNode> Seq(YamlMappingNode map, string key) =>
        Get(map, key) is YamlSequenceNode seq ? seq.Children : [];

    private static Dictionary<string, string> Map(YamlNode? node) =>
        node is YamlMappingNode m ? m.Children.ToDictionary(kv => Str(kv.Key), kv => Str(kv.Value)) : [];

    private static TimeSpan Dur(YamlNode? node, TimeSpan fallback) =>
        node is null ? fallback
        : Configuration.Duration.TryParse(Str(node), out var d) ? d
        : throw new FormatException($"yaml: line {node.Start.Line}: not a valid duration string: \"{Str(node)}\"");
}
