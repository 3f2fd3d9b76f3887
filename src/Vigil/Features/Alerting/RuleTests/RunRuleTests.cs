using System.Text;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.Notifications;
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
        RuleTestFile file;
        try
        {
            file = RuleTestFileReader.Read(path);
        }
        catch (FormatException e)
        {
            return new Outcome(false, output.Append('\n').ToString(), $"  FAILED:\n{e.Message}\n");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var errors = new List<string>();
        foreach (var group in file.Tests)
        {
            errors.AddRange(await RunGroupAsync(group, file, directory));
        }
        if (errors.Count > 0)
        {
            return new Outcome(false, output.Append('\n').ToString(), "  FAILED:\n" + string.Join("\n", errors) + "\n");
        }
        return new Outcome(true, output.Append("  SUCCESS\n\n").ToString(), "");
    }

    private static async Task<List<string>> RunGroupAsync(RuleTestGroup test, RuleTestFile file, string directory)
    {
        var errors = new List<string>();
        var groups = new List<RuleGroup>();
        foreach (var pattern in file.RuleFiles)
        {
            foreach (var (rulePath, shown) in Expand(directory, pattern))
            {
                var (loaded, loadErrors) = RuleFile.Load(rulePath, shown);
                errors.AddRange(loadErrors);
                groups.AddRange(loaded);
            }
        }
        if (errors.Count > 0)
        {
            return errors;
        }
        if (file.GroupEvalOrder.Count > 0)
        {
            groups = [.. groups.OrderBy(g => file.GroupEvalOrder.ToList().IndexOf(g.Name) is var i && i >= 0 ? i : int.MaxValue)];
        }

        var store = new MemorySampleStore();
        await LoadSeriesAsync(store, test);
        var engine = new PromQLEngine();
        var externalLabels = Labels.From(test.ExternalLabels.Select(kv => new Label(kv.Key, kv.Value)));
        var evaluators = groups.Select(g => new RuleGroupEvaluator(g, store, engine, externalLabels, test.ExternalUrl)).ToList();

        var alertTimes = test.AlertRuleTests.Select(a => a.EvalTime).Distinct().Order().ToList();
        var maxTime = alertTimes.Concat(test.PromqlExprTests.Select(e => e.EvalTime)).DefaultIfEmpty(TimeSpan.Zero).Max();
        var interval = file.EvaluationInterval;
        var next = 0;
        for (var ts = TimeSpan.Zero; ts <= maxTime; ts += interval)
        {
            var evalErrors = new List<string>();
            foreach (var evaluator in evaluators)
            {
                foreach (var error in await evaluator.EvaluateAsync((long)ts.TotalMilliseconds))
                {
                    evalErrors.Add($"    rule: {error}, time: {GoDuration(ts)}");
                }
            }
            if (evalErrors.Count > 0)
            {
                // promtool stops a test group at its first evaluation error.
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

    private static IEnumerable<(string Path, string Shown)> Expand(string directory, string pattern)
    {
        var full = Path.Combine(directory, pattern);
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            yield return (full, pattern);
            yield break;
        }
        var folder = Path.GetDirectoryName(full)!;
        foreach (var match in Directory.Exists(folder) ? Directory.GetFiles(folder, Path.GetFileName(full)).Order(StringComparer.Ordinal).ToArray() : [])
        {
            yield return (match, Path.GetRelativePath(directory, match));
        }
    }

    private static async Task LoadSeriesAsync(MemorySampleStore store, RuleTestGroup test)
    {
        var appender = store.Appender();
        var step = (long)test.Interval.TotalMilliseconds;
        foreach (var (series, values) in test.InputSeries)
        {
            var labels = SeriesNotation.ParseMetric(series);
            var parsed = SeriesNotation.ParseValues(values);
            for (var i = 0; i < parsed.Count; i++)
            {
                if (!parsed[i].Omitted)
                {
                    appender.Append(labels, i * step, parsed[i].Value);
                }
            }
        }
        await appender.CommitAsync();
    }

    private static void CheckAlerts(AlertTestCase testCase, RuleTestGroup test, List<RuleGroupEvaluator> evaluators, List<string> errors)
    {
        var got = evaluators.SelectMany(e => e.AlertStates)
            .Where(s => s.Rule.Alert == testCase.AlertName)
            .SelectMany(s => s.Alerts)
            .Where(a => a.Phase == AlertPhase.Firing)
            .Select(a => (a.Labels, a.Annotations))
            .OrderBy(a => a.Labels, Comparer<Labels>.Create(Labels.Compare))
            .ToList();
        var expected = testCase.ExpAlerts
            .Select(e => (
                Labels: Labels.From(e.Labels.Select(kv => new Label(kv.Key, kv.Value)).Append(new Label("alertname", testCase.AlertName))),
                Annotations: Labels.From(e.Annotations.Select(kv => new Label(kv.Key, kv.Value)))))
            .OrderBy(a => a.Labels, Comparer<Labels>.Create(Labels.Compare))
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
        var expected = testCase.ExpSamples.Select(s => (Labels: SeriesNotation.ParseMetric(s.Labels), s.Value)).OrderBy(s => s.Labels, comparer).ToList();
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
