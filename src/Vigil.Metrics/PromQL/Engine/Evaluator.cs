using System.Runtime.CompilerServices;

namespace Vigil.Metrics.PromQL;

/// <summary>A series of an intermediate result, with one point per evaluation step where it has a value.</summary>
internal sealed class StepSeries(Labels labels, List<Sample> points)
{
    public Labels Labels { get; set; } = labels;
    public List<Sample> Points { get; } = points;
}

/// <summary>One element of an instant vector at a step.</summary>
internal readonly record struct VecSample(Labels Labels, double Value);

/// <summary>
/// Evaluates an expression at every step of [start, end] (Prometheus <c>evaluator</c>): each node
/// yields all its steps at once, so selectors read the store once per query.
/// </summary>
internal sealed partial class Evaluator(QueryContext ctx, long start, long end, long interval)
{
    private int StepCount => end < start ? 0 : (int)((end - start) / interval) + 1;

    public List<StepSeries> Eval(Expr expr)
    {
        ctx.Cancellation.ThrowIfCancellationRequested();
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new PromQLEvaluationException("expression nested too deeply");
        }
        var before = ctx.CurrentSamples;
        var result = expr switch
        {
            NumberLiteral n => ConstantSeries(n.Value),
            ParenExpr p => Eval(p.Inner),
            UnaryExpr u => EvalUnary(u),
            VectorSelector vs => EvalVectorSelector(vs, sampleTimestamps: false),
            MatrixSelector ms => EvalRangeVectorAsResult(ms),
            SubqueryExpr sq => EvalRangeVectorAsResult(sq),
            CallExpr c => EvalCall(c),
            AggregateExpr a => EvalAggregate(a),
            BinaryExpr b => EvalBinary(b),
            StringLiteral => throw new PromQLEvaluationException("string literal is only allowed as a function argument or as a whole query"),
            _ => throw new PromQLEvaluationException($"unexpected expression {expr.GetType().Name}"),
        };
        long produced = 0;
        foreach (var s in result)
        {
            produced += s.Points.Count;
        }
        if (expr is VectorSelector or MatrixSelector)
        {
            ctx.SamplesLoaded += produced;
        }
        ctx.CurrentSamples = before;
        ctx.CheckSamples(produced);
        ctx.CurrentSamples = before + produced;
        return result;
    }

    private List<StepSeries> ConstantSeries(double value)
    {
        var points = new List<Sample>(StepCount);
        for (var ts = start; ts <= end; ts += interval)
        {
            points.Add(new Sample(ts, value));
        }
        return [new StepSeries(Labels.Empty, points)];
    }

    private List<StepSeries> EvalUnary(UnaryExpr u)
    {
        var mat = Eval(u.Operand);
        if (!u.Negate)
        {
            return mat;
        }
        foreach (var s in mat)
        {
            // Unary minus drops the metric name, as arithmetic does.
            s.Labels = MetricNameDropper.Without(s.Labels);
            var pts = s.Points;
            for (var i = 0; i < pts.Count; i++)
            {
                pts[i] = pts[i] with { Value = -pts[i].Value };
            }
        }
        if (u.Operand.Type == PromValueType.InstantVector)
        {
            EnsureUniqueLabelsets(mat);
        }
        return mat;
    }

    internal static void EnsureUniqueLabelsets(List<StepSeries> mat)
    {
        if (mat.Count < 2)
        {
            return;
        }
        var seen = new HashSet<Labels>(mat.Count);
        foreach (var s in mat)
        {
            if (!seen.Add(s.Labels))
            {
                throw new PromQLEvaluationException("vector cannot contain metrics with the same labelset");
            }
        }
    }

    private long? ResolveAt(long? atMs, AtAnchor anchor) => anchor switch
    {
        AtAnchor.Start => ctx.QueryStart,
        AtAnchor.End => ctx.QueryEnd,
        _ => atMs,
    };

    /// <summary>
    /// Evaluates the arguments over all steps, then calls <paramref name="step"/> with each step's
    /// instant vectors and collects the outputs into series (Prometheus <c>rangeEval</c>). For an
    /// instant evaluation the output keeps the order <paramref name="step"/> produced.
    /// </summary>
    private List<StepSeries> RangeEval(Func<List<VecSample>[], long, List<VecSample>> step, params Expr?[] args) =>
        RangeEvalOver(step, [.. args.Select(a => a is null ? null : Eval(a))]);

    /// <summary><see cref="RangeEval"/> over arguments already evaluated (null for one not given).</summary>
    private List<StepSeries> RangeEvalOver(Func<List<VecSample>[], long, List<VecSample>> step, List<StepSeries>?[] mats)
    {
        var cursors = new int[mats.Length][];
        var vectors = new List<VecSample>[mats.Length];
        for (var i = 0; i < mats.Length; i++)
        {
            vectors[i] = [];
            cursors[i] = new int[mats[i]?.Count ?? 0];
        }
        var bySeries = new Dictionary<Labels, StepSeries>();
        var ordered = new List<StepSeries>();
        var steps = StepCount;
        for (var ts = start; ts <= end; ts += interval)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            for (var i = 0; i < mats.Length; i++)
            {
                var vec = vectors[i];
                vec.Clear();
                var mat = mats[i];
                if (mat is null)
                {
                    continue;
                }
                var cur = cursors[i];
                for (var j = 0; j < mat.Count; j++)
                {
                    var pts = mat[j].Points;
                    if (cur[j] < pts.Count && pts[cur[j]].TimestampMs == ts)
                    {
                        vec.Add(new VecSample(mat[j].Labels, pts[cur[j]].Value));
                        cur[j]++;
                    }
                }
            }
            var output = step(vectors, ts);
            ctx.CheckSamples(output.Count);
            for (var k = 0; k < output.Count; k++)
            {
                var s = output[k];
                // Steps usually yield the same series in the same order; try that before hashing.
                StepSeries? series = k < ordered.Count && ReferenceEquals(ordered[k].Labels, s.Labels) ? ordered[k] : null;
                if (series is null && !bySeries.TryGetValue(s.Labels, out series))
                {
                    series = new StepSeries(s.Labels, new List<Sample>(Math.Min(steps, 1024)));
                    bySeries[s.Labels] = series;
                    ordered.Add(series);
                }
                else if (series.Points.Count > 0 && series.Points[^1].TimestampMs == ts)
                {
                    // A second sample for the same labels in one step.
                    throw new PromQLEvaluationException("vector cannot contain metrics with the same labelset");
                }
                series.Points.Add(new Sample(ts, s.Value));
            }
        }
        return ordered;
    }
}
