using System.Text;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.Notifications;
using Vigil.Features.Templates;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.PromQL.Testing;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Alerting.RuleTests;

/// <summary>
/// <c>vigil rules test</c>: runs promtool-format rule unit tests with promtool 2.42's semantics
/// (cmd/promtool/unittest.go) and its output: rules evaluated from time 0 every
/// <c>evaluation_interval</c>; an alert test at <c>eval_time</c> sees the last evaluation at or
/// before it and lists firing alerts only; expression tests compare exactly.
/// </summary>
public static class RunRuleTests
{
    public sealed record Outcome(bool Passed, string Output, string Errors);

    public static async Task<Outcome> RunFileAsync(string path)
    {
        var output = new StringBuilder($"Unit Testing:  {path}\n");
        var warnings = new StringBuilder();
        var errors = await RunAsync(path, warnings);
        if (errors.Count > 0)
        {
            // promtool prints each error to stderr and an empty line to stdout after each.
            output.Append('\n', errors.Count + 1);
            return new Outcome(false, output.ToString(), warnings + "  FAILED:\n" + string.Join("", errors.Select(e => e + "\n")));
        }
        return new Outcome(true, output.Append("  SUCCESS\n\n").ToString(), warnings.ToString());
    }

    private static async Task<List<string>> RunAsync(string path, StringBuilder warnings)
    {
        RuleTestFile file;
        try
        {
            file = RuleTestFileReader.Read(path);
        }
        catch (FormatException e)
        {
            return [e.Message];
        }
        catch (IOException e)
        {
            return [$"open {path}: {e.Message}"];
        }
        var ruleFiles = new List<string>();
        foreach (var pattern in file.RuleFiles)
        {
            // promtool joins a relative pattern to the test file's folder, globs it, and only warns when nothing matches.
            var joined = pattern.Length > 0 && !Path.IsPathRooted(pattern) ? GoPath.Join(GoPath.Dir(path), pattern) : pattern;
            if (!GoPath.TryGlob(joined, out var matches))
            {
                return ["syntax error in pattern"];
            }
            if (matches.Count == 0)
            {
                warnings.Append($"  WARNING: no file match pattern {joined}\n");
            }
            ruleFiles.AddRange(matches);
        }
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in file.GroupEvalOrder)
        {
            if (!order.TryAdd(name, order.Count))
            {
                return [$"group name repeated in evaluation order: {name}"];
            }
        }
        var interval = file.EvaluationInterval > TimeSpan.Zero ? file.EvaluationInterval : TimeSpan.FromMinutes(1);
        var errors = new List<string>();
        foreach (var group in file.Tests)
        {
            errors.AddRange(await RunGroupAsync(group, ruleFiles, order, interval));
        }
        return errors;
    }

    private static async Task<List<string>> RunGroupAsync(RuleTestGroup test, List<string> ruleFiles, Dictionary<string, int> order, TimeSpan interval)
    {
        // The order of promtool's test(): input series, then rule files, then the alert test cases.
        var store = new MemorySampleStore();
        if (await LoadSeriesAsync(store, test) is { } seriesError)
        {
            return [seriesError];
        }
        var groups = new List<RuleGroup>();
        foreach (var ruleFile in ruleFiles)
        {
            // A vigil.yaml among rule_files contributes its short-form rules (and its own rule files).
            var (loaded, loadErrors) = LoadRuleGroups.LoadFileOrConfig(ruleFile, ruleFile);
            if (loadErrors.Count > 0)
            {
                // rules.Manager.LoadGroups returns the errors of the first file that has any.
                return [.. loadErrors];
            }
            groups.AddRange(loaded);
        }
        // Groups named in group_eval_order first, in that order; the others keep their place (promtool's partial order).
        groups = [.. groups.OrderBy(g => order.GetValueOrDefault(g.Name))];
        if (test.AlertRuleTests.FirstOrDefault(a => a.AlertName.Length == 0) is { } unnamed)
        {
            var inGroup = test.Name.Length > 0 ? $" (in TestGroup {test.Name})" : "";
            return [$"an item under alert_rule_test misses required attribute alertname at eval_time {Configuration.Duration.Format(unnamed.EvalTime)}{inGroup}"];
        }

        var errors = new List<string>();
        var engine = new PromQLEngine();
        var externalLabels = Labels.From(test.ExternalLabels.Select(kv => new Label(kv.Key, kv.Value)));
        var evaluators = groups.Select(g => new RuleGroupEvaluator(g, store, engine, externalLabels, test.ExternalUrl)).ToList();

        var alertTimes = test.AlertRuleTests.Select(a => a.EvalTime).Distinct().Order().ToList();
        var maxTime = alertTimes.Concat(test.PromqlExprTests.Select(e => e.EvalTime)).DefaultIfEmpty(TimeSpan.Zero).Max();
        var next = 0;
        for (var ts = TimeSpan.Zero; ts <= maxTime; ts += interval)
        {
            var evalErrors = new List<string>();
            foreach (var evaluator in evaluators)
            {
                await evaluator.EvaluateAsync((long)ts.TotalMilliseconds);
                foreach (var rule in evaluator.Group.Rules)
                {
                    if (evaluator.Health.TryGetValue(rule, out var health) && health.Error is { } error)
                    {
                        evalErrors.Add($"    rule: {rule.Name}, time: {GoDuration(ts)}, err: {error}");
                    }
                }
            }
            if (evalErrors.Count > 0)
            {
                // promtool stops a test group at its first evaluation with errors.
                errors.AddRange(evalErrors);
                return errors;
            }
            // Alert tests with ts <= eval_time < ts + interval compare against this evaluation.
            while (next < alertTimes.Count && alertTimes[next] >= ts && alertTimes[next] < ts + interval)
            {
                var time = alertTimes[next++];
                foreach (var testCase in test.AlertRuleTests.Where(a => a.EvalTime == time))
                {
                    CheckAlerts(testCase, test, evaluators, errors);
                }
            }
        }
        foreach (var testCase in test.PromqlExprTests)
        {
            CheckExpression(testCase, store, engine, errors);
        }
        return errors;
    }

    /// <summary>
    /// Loads the input series as promtool does (a PromQL test <c>load</c> command): one value every
    /// <c>interval</c> from time 0; a series given twice keeps its last definition; with no interval
    /// every value falls at time 0, where the first one appended stays. Returns the parse error, if any.
    /// </summary>
    /// <summary>
    /// promtool's error for a series line that does not parse: the PromQL lexer's, placed in the
    /// line <c>series values</c> (a metric missing its closing brace fails on the first value), or
    /// "unexpected identifier" for a word among the values.
    /// </summary>
    private static string SeriesError(string series, string values, FormatException error)
    {
        var line = $"{series} {values}".Trim();
        if (error.InnerException is PromQLParseException)
        {
            try
            {
                PromQLParser.Parse(line);
            }
            catch (PromQLParseException p) when (p.Reason.Contains("inside braces", StringComparison.Ordinal))
            {
                return $"1:{p.Column}: parse error: {p.Reason}";
            }
            return $"1:{series.Length + 1}: parse error: {((PromQLParseException)error.InnerException).Reason}";
        }
        var offset = series.Trim().Length + 1;
        foreach (var item in values.Trim().Split(' '))
        {
            if (item.Length > 0 && !Parses(item))
            {
                return char.IsAsciiLetter(item[0]) && !item.Contains('x', StringComparison.Ordinal)
                    ? $"1:{offset + 1}: parse error: unexpected identifier \"{item}\" in series values, expected number or \"stale\""
                    : $"1:{offset + 1}: parse error: {error.Message}";
            }
            offset += item.Length + 1;
        }
        return $"1:{offset}: parse error: {error.Message}";

        static bool Parses(string item)
        {
            try
            {
                SeriesNotation.ParseValues(item);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }

    private static async Task<string?> LoadSeriesAsync(MemorySampleStore store, RuleTestGroup test)
    {
        var step = (long)test.Interval.TotalMilliseconds;
        var definitions = new Dictionary<Labels, IReadOnlyList<SeriesValue>>();
        foreach (var (series, values) in test.InputSeries)
        {
            try
            {
                definitions[SeriesNotation.ParseMetric(series)] = SeriesNotation.ParseValues(values);
            }
            catch (FormatException e)
            {
                return SeriesError(series, values, e);
            }
        }
        var appender = store.Appender();
        foreach (var (labels, values) in definitions)
        {
            var last = long.MinValue;
            for (var i = 0; i < values.Count; i++)
            {
                if (!values[i].Omitted && i * step > last)
                {
                    appender.Append(labels, i * step, values[i].Value);
                    last = i * step;
                }
            }
        }
        await appender.CommitAsync();
        return null;
    }

    private static void CheckAlerts(AlertTestCase testCase, RuleTestGroup test, List<RuleGroupEvaluator> evaluators, List<string> errors)
    {
        var got = evaluators.SelectMany(e => e.AlertStates)
            .Where(s => s.Rule.Alert == testCase.AlertName)
            .SelectMany(s => s.Alerts)
            .Where(a => a.Phase == AlertPhase.Firing)
            .Select(a => (a.Labels, a.Annotations))
            .Order(AlertOrder)
            .ToList();
        // promtool builds the expected sets with labels.FromMap, which keeps empty values.
        var expected = testCase.ExpAlerts
            .Select(e => (
                Labels: WithEmptyValues(e.Labels.Where(kv => kv.Key != "alertname").Append(new("alertname", testCase.AlertName))),
                Annotations: WithEmptyValues(e.Annotations)))
            .Order(AlertOrder)
            .ToList();
        if (expected.SequenceEqual(got))
        {
            return;
        }
        var name = test.Name.Length > 0 ? $"    name: {test.Name},\n" : "";
        errors.Add($"{name}    alertname: {testCase.AlertName}, time: {Configuration.Duration.Format(testCase.EvalTime)}, \n" +
                   $"        exp:{Indent(AlertList(expected), "            ")}, \n" +
                   $"        got:{Indent(AlertList(got), "            ")}");
    }

    // promtool sorts alerts by labels, then annotations (labelsAndAnnotations.Less).
    private static readonly Comparer<(Labels Labels, Labels Annotations)> AlertOrder = Comparer<(Labels Labels, Labels Annotations)>.Create((a, b) =>
        Labels.Compare(a.Labels, b.Labels) is var c && c != 0 ? c : Labels.Compare(a.Annotations, b.Annotations));

    private static Labels WithEmptyValues(IEnumerable<KeyValuePair<string, string>> pairs) =>
        Labels.FromSorted([.. pairs.Select(kv => new Label(kv.Key, kv.Value)).OrderBy(l => l.Name, StringComparer.Ordinal)]);

    private static void CheckExpression(ExprTestCase testCase, MemorySampleStore store, PromQLEngine engine, List<string> errors)
    {
        var time = Configuration.Duration.Format(testCase.EvalTime);
        List<(Labels Labels, double Value)> got;
        try
        {
            got = engine.InstantQuery(store, testCase.Expr, (long)testCase.EvalTime.TotalMilliseconds) switch
            {
                VectorValue v => [.. v.Samples.Select(s => (s.Labels, s.Value))],
                ScalarValue s => [(Labels.Empty, s.Value)],
                _ => throw new PromQLEvaluationException("rule result is not a vector or scalar"),
            };
        }
        catch (Exception e) when (e is PromQLParseException or PromQLEvaluationException)
        {
            errors.Add($"    expr: {GoJson.Quote(testCase.Expr)}, time: {time}, err: {e.Message}");
            return;
        }
        var comparer = Comparer<Labels>.Create(Labels.Compare);
        var expected = new List<(Labels Labels, double Value)>();
        foreach (var (text, value) in testCase.ExpSamples)
        {
            try
            {
                expected.Add((SeriesNotation.ParseMetric(text), value));
            }
            catch (FormatException e)
            {
                var reason = e.InnerException is PromQLParseException p ? $"{p.Line}:{p.Column}: parse error: {p.Reason}" : e.Message;
                errors.Add($"    expr: {GoJson.Quote(testCase.Expr)}, time: {time}, err: labels {GoJson.Quote(text)}: {reason}");
                return;
            }
        }
        expected = [.. expected.OrderBy(s => s.Labels, comparer)];
        got = [.. got.OrderBy(s => s.Labels, comparer)];
        // promtool compares with reflect.DeepEqual: exact floats, and NaN never equals NaN.
        var same = expected.Count == got.Count && expected.Zip(got).All(p => p.First.Labels.Equals(p.Second.Labels) && p.First.Value == p.Second.Value);
        if (!same)
        {
            errors.Add($"    expr: {GoJson.Quote(testCase.Expr)}, time: {time},\n        exp: {Samples(expected)}\n        got: {Samples(got)}");
        }
    }

    private static string Samples(List<(Labels Labels, double Value)> samples) =>
        samples.Count == 0 ? "nil" : string.Join(", ", samples.Select(s => $"{NotificationGroup.FormatLabelSet(s.Labels)} {Templates.GoFormat.E(s.Value)}"));

    private static string AlertList(List<(Labels Labels, Labels Annotations)> alerts)
    {
        if (alerts.Count == 0)
        {
            return "[]";
        }
        var s = new StringBuilder("[\n0:").Append(Indent("\n" + Alert(alerts[0]), "  "));
        for (var i = 1; i < alerts.Count; i++)
        {
            s.Append(",\n").Append(i).Append(':').Append(Indent("\n" + Alert(alerts[i]), "  "));
        }
        return s.Append("\n]").ToString();
    }

    private static string Alert((Labels Labels, Labels Annotations) a) =>
        $"Labels:{NotificationGroup.FormatLabelSet(a.Labels)}\nAnnotations:{NotificationGroup.FormatLabelSet(a.Annotations)}";

    private static string Indent(string lines, string indentation) =>
        string.Join("\n" + indentation, lines.Split('\n'));

    /// <summary>Go's <c>time.Duration.String()</c>: <c>5m0s</c>, <c>1h0m0s</c>, <c>0s</c>.</summary>
    private static string GoDuration(TimeSpan d)
    {
        if (d == TimeSpan.Zero)
        {
            return "0s";
        }
        var hours = (long)d.TotalHours;
        var text = new StringBuilder();
        if (hours > 0)
        {
            text.Append(hours).Append('h');
        }
        if (hours > 0 || d.Minutes > 0)
        {
            text.Append(d.Minutes).Append('m');
        }
        var seconds = d.Seconds + (d.Milliseconds / 1000.0);
        return text.Append(Templates.GoFormat.V(seconds)).Append('s').ToString();
    }
}
