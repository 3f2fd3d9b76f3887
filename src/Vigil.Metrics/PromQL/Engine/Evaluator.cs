using Vigil.Metrics.Storage;

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
            s.Labels = s.Labels.WithoutMetricName();
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

    /// <summary>Reads matching series for [minT, maxT], sorted by labels as Prometheus's storage returns them.</summary>
    private List<(Labels Labels, Sample[] Samples)> Select(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, bool dropStale)
    {
        var found = ctx.Querier.Select(minT, maxT, matchers);
        var list = new List<(Labels, Sample[])>(found.Count);
        foreach (var s in found)
        {
            var arr = s.Samples as Sample[] ?? [.. s.Samples];
            if (dropStale)
            {
                arr = WithoutStaleMarkers(arr);
            }
            list.Add((s.Labels, arr));
        }
        list.Sort(static (a, b) => Labels.Compare(a.Item1, b.Item1));
        return list;
    }

    private static Sample[] WithoutStaleMarkers(Sample[] arr)
    {
        var stale = 0;
        foreach (var s in arr)
        {
            if (Sample.IsStaleNaN(s.Value))
            {
                stale++;
            }
        }
        if (stale == 0)
        {
            return arr;
        }
        var result = new Sample[arr.Length - stale];
        var j = 0;
        foreach (var s in arr)
        {
            if (!Sample.IsStaleNaN(s.Value))
            {
                result[j++] = s;
            }
        }
        return result;
    }

    /// <summary>Index of the first sample with a timestamp greater than <paramref name="t"/>.</summary>
    internal static int UpperBound(ReadOnlySpan<Sample> samples, long t)
    {
        var lo = 0;
        var hi = samples.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (samples[mid].TimestampMs <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>Index of the first sample with a timestamp at or after <paramref name="t"/>.</summary>
    internal static int LowerBound(ReadOnlySpan<Sample> samples, long t)
    {
        var lo = 0;
        var hi = samples.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (samples[mid].TimestampMs < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>
    /// An instant selector: at each step the latest sample at or before the reference time and no
    /// older than the lookback delta; a staleness marker ends the series (Prometheus <c>vectorSelectorSingle</c>).
    /// With <paramref name="sampleTimestamps"/> the value is the sample's timestamp in seconds, for <c>timestamp()</c>.
    /// </summary>
    private List<StepSeries> EvalVectorSelector(VectorSelector vs, bool sampleTimestamps)
    {
        var at = ResolveAt(vs.AtMs, vs.At);
        var minRef = (at ?? start) - vs.OffsetMs;
        var maxRef = (at ?? end) - vs.OffsetMs;
        var series = Select(vs.Matchers, minRef - ctx.LookbackMs, maxRef, dropStale: false);
        var result = new List<StepSeries>(series.Count);
        foreach (var (labels, samples) in series)
        {
            List<Sample>? points = null;
            for (var ts = start; ts <= end; ts += interval)
            {
                var refTime = (at ?? ts) - vs.OffsetMs;
                var i = UpperBound(samples, refTime) - 1;
                if (i < 0)
                {
                    continue;
                }
                var s = samples[i];
                if (s.TimestampMs < refTime - ctx.LookbackMs || Sample.IsStaleNaN(s.Value))
                {
                    continue;
                }
                points ??= new List<Sample>(StepCount);
                points.Add(new Sample(ts, sampleTimestamps ? s.TimestampMs / 1000.0 : s.Value));
            }
            if (points is not null)
            {
                result.Add(new StepSeries(labels, points));
            }
        }
        return result;
    }

    /// <summary>The windows of a range-vector argument: series, window length, and where each step's window ends.</summary>
    internal sealed class RangeSource(List<(Labels Labels, Sample[] Samples)> series, long rangeMs, long offsetMs, long? atMs)
    {
        public List<(Labels Labels, Sample[] Samples)> Series { get; } = series;
        public long RangeMs { get; } = rangeMs;
        public long WindowEnd(long ts) => (atMs ?? ts) - offsetMs;
    }

    private RangeSource LoadRange(Expr arg)
    {
        switch (arg)
        {
            case ParenExpr p:
                return LoadRange(p.Inner);
            case MatrixSelector ms:
                {
                    var vs = ms.Selector;
                    var at = ResolveAt(vs.AtMs, vs.At);
                    var minRef = (at ?? start) - vs.OffsetMs;
                    var maxRef = (at ?? end) - vs.OffsetMs;
                    var series = Select(vs.Matchers, minRef - ms.RangeMs, maxRef, dropStale: true);
                    return new RangeSource(series, ms.RangeMs, vs.OffsetMs, at);
                }
            case SubqueryExpr sq:
                {
                    var at = ResolveAt(sq.AtMs, sq.At);
                    var inner = EvalSubqueryInner(sq, at);
                    var series = new List<(Labels, Sample[])>(inner.Count);
                    foreach (var s in inner)
                    {
                        series.Add((s.Labels, s.Points.ToArray()));
                    }
                    return new RangeSource(series, sq.RangeMs, sq.OffsetMs, at);
                }
            default:
                throw new PromQLEvaluationException("expected a range vector");
        }
    }

    /// <summary>
    /// Evaluates a subquery's inner expression at steps aligned to multiples of the step, from the
    /// first aligned time after (start - offset - range) to (end - offset) (Prometheus <c>engine.go</c>).
    /// </summary>
    private List<StepSeries> EvalSubqueryInner(SubqueryExpr sq, long? at)
    {
        var step = sq.StepMs > 0 ? sq.StepMs : ctx.DefaultSubqueryStepMs;
        var innerEnd = (at ?? end) - sq.OffsetMs;
        var from = (at ?? start) - sq.OffsetMs - sq.RangeMs;
        var innerStart = step * (from / step);
        if (innerStart < from)
        {
            innerStart += step;
        }
        return new Evaluator(ctx, innerStart, innerEnd, step).Eval(sq.Inner);
    }

    /// <summary>A range vector as a query's result (instant queries only): each series' samples in the window.</summary>
    private List<StepSeries> EvalRangeVectorAsResult(Expr e)
    {
        if (start != end)
        {
            throw new PromQLEvaluationException($"invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
        }
        var src = LoadRange(e);
        var result = new List<StepSeries>();
        var windowEnd = src.WindowEnd(start);
        foreach (var (labels, samples) in src.Series)
        {
            var lo = LowerBound(samples, windowEnd - src.RangeMs);
            var hi = UpperBound(samples, windowEnd);
            if (hi > lo)
            {
                result.Add(new StepSeries(labels, [.. samples.AsSpan(lo, hi - lo)]));
            }
        }
        return result;
    }

    /// <summary>
    /// Evaluates the arguments over all steps, then calls <paramref name="step"/> with each step's
    /// instant vectors and collects the outputs into series (Prometheus <c>rangeEval</c>). For an
    /// instant evaluation the output keeps the order <paramref name="step"/> produced.
    /// </summary>
    private List<StepSeries> RangeEval(Func<List<VecSample>[], long, List<VecSample>> step, params Expr?[] args)
    {
        var mats = new List<StepSeries>?[args.Length];
        var cursors = new int[args.Length][];
        var vectors = new List<VecSample>[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            vectors[i] = [];
            if (args[i] is { } a)
            {
                mats[i] = Eval(a);
                cursors[i] = new int[mats[i]!.Count];
            }
        }
        var bySeries = new Dictionary<Labels, StepSeries>();
        var ordered = new List<StepSeries>();
        var steps = StepCount;
        for (var ts = start; ts <= end; ts += interval)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            for (var i = 0; i < args.Length; i++)
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
            if (output.Count > 1)
            {
                var seen = new HashSet<Labels>(output.Count);
                foreach (var s in output)
                {
                    if (!seen.Add(s.Labels))
                    {
                        throw new PromQLEvaluationException("vector cannot contain metrics with the same labelset");
                    }
                }
            }
            ctx.CheckSamples(output.Count);
            foreach (var s in output)
            {
                if (!bySeries.TryGetValue(s.Labels, out var series))
                {
                    series = new StepSeries(s.Labels, new List<Sample>(Math.Min(steps, 1024)));
                    bySeries[s.Labels] = series;
                    ordered.Add(series);
                }
                series.Points.Add(new Sample(ts, s.Value));
            }
        }
        return ordered;
    }
}
