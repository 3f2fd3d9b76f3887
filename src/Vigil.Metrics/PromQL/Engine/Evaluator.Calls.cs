namespace Vigil.Metrics.PromQL;

internal sealed partial class Evaluator
{
    private static Expr Unwrap(Expr e) => e is ParenExpr p ? Unwrap(p.Inner) : e;

    private List<StepSeries> EvalCall(CallExpr call)
    {
        var name = call.Function.Name;
        // timestamp() of a plain selector reports the samples' own timestamps, not the step time.
        if (name == "timestamp" && Unwrap(call.Args[0]) is VectorSelector vs)
        {
            var mat = EvalVectorSelector(vs, sampleTimestamps: true);
            foreach (var s in mat)
            {
                s.Labels = MetricNameDropper.Without(s.Labels);
            }
            return MergeSameLabelsets(mat);
        }
        for (var i = 0; i < call.Args.Count; i++)
        {
            if (Unwrap(call.Args[i]) is MatrixSelector or SubqueryExpr)
            {
                return EvalRangeFunction(call, i);
            }
        }
        var fn = InstantFunctions.Get(call);
        var args = new Expr?[call.Args.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = call.Args[i].Type == PromValueType.String ? null : call.Args[i];
        }
        var output = new List<VecSample>();
        return RangeEval((vectors, ts) =>
        {
            output.Clear();
            fn(vectors, ts, output);
            return output;
        }, args);
    }

    /// <summary>
    /// Joins series that ended up with the same labels, which is fine as long as they never have
    /// a point at the same step (Prometheus checks the labelsets step by step in <c>rangeEval</c>).
    /// </summary>
    private static List<StepSeries> MergeSameLabelsets(List<StepSeries> mat)
    {
        var byLabels = new Dictionary<Labels, StepSeries>(mat.Count);
        var result = new List<StepSeries>(mat.Count);
        foreach (var s in mat)
        {
            if (!byLabels.TryGetValue(s.Labels, out var first))
            {
                byLabels[s.Labels] = s;
                result.Add(s);
                continue;
            }
            var merged = new List<Sample>(first.Points.Count + s.Points.Count);
            merged.AddRange(first.Points);
            merged.AddRange(s.Points);
            merged.Sort(static (a, b) => a.TimestampMs.CompareTo(b.TimestampMs));
            for (var i = 1; i < merged.Count; i++)
            {
                if (merged[i].TimestampMs == merged[i - 1].TimestampMs)
                {
                    throw new PromQLEvaluationException("vector cannot contain metrics with the same labelset");
                }
            }
            first.Points.Clear();
            first.Points.AddRange(merged);
        }
        return result;
    }

    /// <summary>
    /// A function over a range vector: the windows of each series are stepped through, the
    /// function applied per window; the metric name is dropped except by <c>last_over_time</c>.
    /// The range argument may come loaded already (<paramref name="loaded"/>: a function of that argument alone).
    /// </summary>
    private List<StepSeries> EvalRangeFunction(CallExpr call, int matrixIndex, RangeSource? loaded = null)
    {
        var result = new List<StepSeries>();
        StepRangeFunction(call, matrixIndex, loaded, reusePoints: false,
            (src, i, points) => result.Add(new StepSeries(RangeFunctionLabels(call, src.Series[i].Labels), points)));
        if (call.Function.Name == "absent_over_time")
        {
            return AbsentOverTime(result, call.Args[0]);
        }
        EnsureUniqueLabelsets(result);
        return result;
    }

    /// <summary>A range function's output labels for an input series: without the metric name, except by <c>last_over_time</c>.</summary>
    private static Labels RangeFunctionLabels(CallExpr call, Labels labels) =>
        call.Function.Name == "last_over_time" ? labels : MetricNameDropper.Without(labels);

    /// <summary>
    /// Steps a range function through the windows of each series of its range argument (<paramref name="src"/>,
    /// or loaded here after the other arguments are evaluated) and hands every series with at least
    /// one point to <paramref name="emit"/>: the argument, the series' index in it, and its points.
    /// With <paramref name="reusePoints"/> one list holds every series' points in turn (emit must
    /// not keep it); otherwise each series gets its own.
    /// </summary>
    private void StepRangeFunction(CallExpr call, int matrixIndex, RangeSource? src, bool reusePoints, Action<RangeSource, int, List<Sample>> emit)
    {
        var name = call.Function.Name;
        var fn = RangeFunctions.Get(name) ?? throw new PromQLEvaluationException($"function \"{name}\" is not supported");
        var scalarArgs = new List<StepSeries>?[call.Args.Count];
        for (var i = 0; i < call.Args.Count; i++)
        {
            if (i != matrixIndex)
            {
                scalarArgs[i] = Eval(call.Args[i]);
            }
        }
        var argIndexes = Enumerable.Range(0, call.Args.Count).Where(i => i != matrixIndex).ToArray();
        src ??= LoadRange(call.Args[matrixIndex]);
        var scratch = new List<Sample>();
        var shared = reusePoints ? new List<Sample>(StepCount) : null;
        for (var k = 0; k < src.Series.Count; k++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var samples = src.Series[k].Samples.Read(scratch, src.DropStale);
            List<Sample>? points = null;
            shared?.Clear();
            var step = 0;
            int lo = 0, hi = 0;
            for (var ts = start; ts <= end; ts += interval, step++)
            {
                // Windows only move forward from step to step, so both edges slide instead of being searched.
                var windowEnd = src.WindowEnd(ts);
                var windowStart = windowEnd - src.RangeMs;
                while (lo < samples.Length && samples[lo].TimestampMs < windowStart)
                {
                    lo++;
                }
                if (hi < lo)
                {
                    hi = lo;
                }
                while (hi < samples.Length && samples[hi].TimestampMs <= windowEnd)
                {
                    hi++;
                }
                if (hi <= lo)
                {
                    continue;
                }
                ctx.CheckSamples(hi - lo);
                ctx.SamplesLoaded += hi - lo;
                var arg = argIndexes.Length > 0 ? scalarArgs[argIndexes[0]]![0].Points[step].Value : 0;
                var arg2 = argIndexes.Length > 1 ? scalarArgs[argIndexes[1]]![0].Points[step].Value : 0;
                var info = new WindowInfo(windowStart, windowEnd, src.RangeMs, ts, arg, arg2);
                if (fn(samples[lo..hi], info, out var value))
                {
                    points ??= shared ?? new List<Sample>(StepCount - step);
                    points.Add(new Sample(ts, value));
                }
            }
            if (points is not null)
            {
                emit(src, k, points);
            }
        }
    }

    /// <summary>1 at the steps where no series has a sample in its window, labelled from the selector's equality matchers.</summary>
    private List<StepSeries> AbsentOverTime(List<StepSeries> present, Expr arg)
    {
        var found = new HashSet<long>();
        foreach (var s in present)
        {
            foreach (var p in s.Points)
            {
                found.Add(p.TimestampMs);
            }
        }
        var points = new List<Sample>();
        for (var ts = start; ts <= end; ts += interval)
        {
            if (!found.Contains(ts))
            {
                points.Add(new Sample(ts, 1));
            }
        }
        return points.Count == 0 ? [] : [new StepSeries(InstantFunctions.AbsentLabels(arg), points)];
    }
}
