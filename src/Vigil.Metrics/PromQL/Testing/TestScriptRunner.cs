using System.Text;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.PromQL.Testing;

/// <summary>The verdict on one eval of a test script.</summary>
/// <param name="Line">One-based line of the eval.</param>
/// <param name="Query">The expression.</param>
/// <param name="Passed">Whether every check passed.</param>
/// <param name="Failure">What went wrong (variant, expected vs actual), when failed.</param>
public sealed record EvalOutcome(int Line, string Query, bool Passed, string? Failure);

/// <summary>
/// Runs a test script against a fresh <see cref="MemorySampleStore"/> and judges each eval as
/// Prometheus 2.42's test runner does: instant result, the same query as a range query around T,
/// and the <c>@</c>-pinned variants at other times (see <see cref="AtModifierVariants"/>).
/// </summary>
public static class TestScriptRunner
{
    /// <summary>The engine settings of Prometheus's test runner: 5m lookback, 1m subquery step, 10,000 samples.</summary>
    public static PromQLEngineOptions TestOptions { get; } = new() { MaxSamples = 10_000 };

    /// <summary>Runs <paramref name="script"/> and returns one outcome per eval, in order.</summary>
    public static IReadOnlyList<EvalOutcome> Run(TestScript script, PromQLEngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var engine = new PromQLEngine(options ?? TestOptions);
        var store = new MemorySampleStore();
        var outcomes = new List<EvalOutcome>();
        foreach (var command in script.Commands)
        {
            switch (command)
            {
                case ClearCommand:
                    store = new MemorySampleStore();
                    break;
                case LoadCommand load:
                    Load(store, load);
                    break;
                case EvalCommand eval:
                    var failure = Judge(engine, store, eval, cancellationToken);
                    outcomes.Add(new EvalOutcome(eval.Line, eval.Query, failure is null, failure));
                    break;
            }
        }
        return outcomes;
    }

    private static void Load(MemorySampleStore store, LoadCommand load)
    {
        var appender = store.Appender();
        foreach (var series in load.Series)
        {
            for (var i = 0; i < series.Values.Count; i++)
            {
                if (!series.Values[i].Omitted)
                {
                    appender.Append(series.Labels, i * load.IntervalMs, series.Values[i].Value);
                }
            }
        }
        appender.CommitAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Null when the eval passes, else the first failed check.</summary>
    internal static string? Judge(PromQLEngine engine, ISampleQuerier store, EvalCommand eval, CancellationToken ct)
    {
        Expr expr;
        try
        {
            expr = PromQLParser.Parse(eval.Query);
        }
        catch (PromQLParseException e)
        {
            return eval.ExpectFailure ? null : $"parse error: {e.Message}";
        }
        var runs = new List<(string Name, Expr Expr, long Time)> { ("instant", expr, eval.TimeMs) };
        if (AtModifierVariants.For(expr, eval.TimeMs) is { } variants)
        {
            foreach (var t in variants.Times)
            {
                runs.Add(($"@-pinned variant at {t}ms", variants.Expr, t));
            }
        }
        foreach (var (name, e, t) in runs)
        {
            var failure = Check(engine, store, eval, e, t, ct);
            if (failure is not null)
            {
                return $"{name}: {failure}";
            }
        }
        return null;
    }

    private static string? Check(PromQLEngine engine, ISampleQuerier store, EvalCommand eval, Expr expr, long t, CancellationToken ct)
    {
        QueryValue result;
        try
        {
            result = engine.InstantQuery(store, expr, t, ct);
        }
        catch (Exception e) when (e is PromQLEvaluationException or PromQLParseException)
        {
            return eval.ExpectFailure ? null : $"unexpected error: {e.Message}";
        }
        if (eval.ExpectFailure)
        {
            return $"expected an error, got {ResultComparison.Describe(result)}";
        }
        var mismatch = ResultComparison.Compare(eval, result, checkOrder: eval.Ordered);
        if (mismatch is not null)
        {
            return mismatch;
        }
        MatrixValue range;
        try
        {
            range = engine.RangeQuery(store, expr, t - 60_000, t + 60_000, 60_000, ct);
        }
        catch (Exception e) when (e is PromQLEvaluationException or PromQLParseException)
        {
            return $"range query: unexpected error: {e.Message}";
        }
        if (eval.Ordered)
        {
            return null;
        }
        var atT = new List<VectorSample>();
        foreach (var s in range.Series)
        {
            foreach (var p in s.Points)
            {
                if (p.TimestampMs == t)
                {
                    atT.Add(new VectorSample(s.Labels, t, p.Value));
                    break;
                }
            }
        }
        QueryValue rangeAtT = result is ScalarValue
            ? atT.Count > 0 ? new ScalarValue(t, atT[0].Value) : new VectorValue([])
            : new VectorValue(atT);
        var rangeMismatch = ResultComparison.Compare(eval, rangeAtT, checkOrder: false);
        return rangeMismatch is null ? null : $"range query at T: {rangeMismatch}";
    }
}

/// <summary>Compares a result with an eval's expectation (Prometheus 2.42 <c>compareResult</c>).</summary>
public static class ResultComparison
{
    /// <summary>Equality within relative error 1e-6; exact when either side is 0; NaN equals NaN.</summary>
    public static bool AlmostEqual(double a, double b)
    {
        const double epsilon = 1e-6;
        const double minNormal = 2.2250738585072014e-308;
        if (double.IsNaN(a) && double.IsNaN(b))
        {
            return true;
        }
        if (a == b)
        {
            return true;
        }
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || diff < minNormal)
        {
            return diff < epsilon * minNormal;
        }
        return diff / (Math.Abs(a) + Math.Abs(b)) < epsilon;
    }

    /// <summary>Null when <paramref name="result"/> matches the expectation of <paramref name="eval"/>, else the difference.</summary>
    public static string? Compare(EvalCommand eval, QueryValue result, bool checkOrder)
    {
        switch (result)
        {
            case ScalarValue s:
                if (eval.ExpectedScalar is not { } want)
                {
                    return $"expected {DescribeExpected(eval)}, got scalar {Numbers.Format(s.Value)}";
                }
                return AlmostEqual(want, s.Value) ? null : $"expected scalar {Numbers.Format(want)}, got {Numbers.Format(s.Value)}";
            case VectorValue v:
                if (eval.ExpectedScalar is not null)
                {
                    return $"expected scalar {Numbers.Format(eval.ExpectedScalar.Value)}, got {Describe(v)}";
                }
                var expected = new Dictionary<Labels, (double Value, int Position)>();
                for (var i = 0; i < eval.Expected.Count; i++)
                {
                    expected[eval.Expected[i].Labels] = (eval.Expected[i].Value, i);
                }
                var seen = new HashSet<Labels>();
                for (var pos = 0; pos < v.Samples.Count; pos++)
                {
                    var sample = v.Samples[pos];
                    if (!expected.TryGetValue(sample.Labels, out var exp))
                    {
                        return $"unexpected metric {sample.Labels} in result; expected {DescribeExpected(eval)}, got {Describe(v)}";
                    }
                    if (checkOrder && exp.Position != pos)
                    {
                        return $"expected metric {sample.Labels} at position {exp.Position + 1} but was at {pos + 1}; got {Describe(v)}";
                    }
                    if (!AlmostEqual(exp.Value, sample.Value))
                    {
                        return $"expected {Numbers.Format(exp.Value)} for {sample.Labels} but got {Numbers.Format(sample.Value)}";
                    }
                    seen.Add(sample.Labels);
                }
                foreach (var e in eval.Expected)
                {
                    if (!seen.Contains(e.Labels))
                    {
                        return $"expected metric {e.Labels} with {Numbers.Format(e.Value)} not found; got {Describe(v)}";
                    }
                }
                return null;
            case MatrixValue:
                return "received range result on instant evaluation";
            default:
                return $"unexpected result type: {Describe(result)}";
        }
    }

    /// <summary>A short text form of a result for failure reports.</summary>
    public static string Describe(QueryValue value) => value switch
    {
        ScalarValue s => $"scalar {Numbers.Format(s.Value)}",
        StringValue s => $"string \"{s.Value}\"",
        VectorValue v => v.Samples.Count == 0 ? "empty vector" : "{" + string.Join("; ", v.Samples.Select(s => $"{s.Labels} {Numbers.Format(s.Value)}")) + "}",
        MatrixValue m => $"matrix of {m.Series.Count} series",
        _ => value.ToString() ?? "",
    };

    private static string DescribeExpected(EvalCommand eval)
    {
        if (eval.ExpectedScalar is { } s)
        {
            return $"scalar {Numbers.Format(s)}";
        }
        if (eval.Expected.Count == 0)
        {
            return "empty vector";
        }
        var sb = new StringBuilder("{");
        sb.AppendJoin("; ", eval.Expected.Select(e => $"{e.Labels} {Numbers.Format(e.Value)}"));
        return sb.Append('}').ToString();
    }
}
