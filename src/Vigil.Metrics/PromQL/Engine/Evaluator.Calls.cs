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
        var stepper = new WindowStepper(ctx, (start, end, interval), fn, src ?? LoadRange(call.Args[matrixIndex]),
            argIndexes.Length > 0 ? scalarArgs[argIndexes[0]]![0].Points : null,
            argIndexes.Length > 1 ? scalarArgs[argIndexes[1]]![0].Points : null);
        var series = stepper.Source.Series;
        if (!reusePoints && series.Count >= 2 * SeriesPerParallelBlock && Environment.ProcessorCount > 1)
        {
            // Each series' windows are independent of the others', so blocks of series are stepped
            // on every core; the points are handed on in series order afterwards, as one core would.
            var perSeries = stepper.StepInParallel();
            for (var k = 0; k < perSeries.Length; k++)
            {
                if (perSeries[k] is { } points)
                {
                    emit(stepper.Source, k, points);
                }
            }
            return;
        }
        var scratch = new List<Sample>();
        var shared = reusePoints ? new List<Sample>(StepCount) : null;
        long loaded = 0;
        for (var k = 0; k < series.Count; k++)
        {
            shared?.Clear();
            if (stepper.Step(k, scratch, shared, ref loaded) is { } points)
            {
                emit(stepper.Source, k, points);
            }
        }
        ctx.SamplesLoaded += loaded;
    }

    /// <summary>Series stepped together by one core when a range function's series are divided among cores.</summary>
    private const int SeriesPerParallelBlock = 64;

    /// <summary>A range function stepped through the windows of its argument's series, one series at a time.</summary>
    private sealed class WindowStepper(QueryContext ctx, (long Start, long End, long Interval) steps, WindowFunction fn, RangeSource source, List<Sample>? arg, List<Sample>? arg2)
    {
        public RangeSource Source { get; } = source;

        /// <summary>
        /// The function's points for series <paramref name="k"/> (null when no window holds a
        /// sample), in <paramref name="shared"/> when given, else in a list of their own; the
        /// samples the windows held are added to <paramref name="loaded"/>.
        /// </summary>
        public List<Sample>? Step(int k, List<Sample> scratch, List<Sample>? shared, ref long loaded)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var samples = Source.Series[k].Samples.Read(scratch, Source.DropStale);
            List<Sample>? points = null;
            var step = 0;
            int lo = 0, hi = 0;
            var (start, end, interval) = steps;
            for (var ts = start; ts <= end; ts += interval, step++)
            {
                // Windows only move forward from step to step, so both edges slide instead of being searched.
                var windowEnd = Source.WindowEnd(ts);
                var windowStart = windowEnd - Source.RangeMs;
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
                loaded += hi - lo;
                var info = new WindowInfo(windowStart, windowEnd, Source.RangeMs, ts, arg?[step].Value ?? 0, arg2?[step].Value ?? 0);
                if (fn(samples[lo..hi], info, out var value))
                {
                    points ??= shared ?? new List<Sample>((int)((end - ts) / interval) + 1);
                    points.Add(new Sample(ts, value));
                }
            }
            return points;
        }

        /// <summary>Every series' points, stepped in blocks of series on all cores (each with its own decoding buffer).</summary>
        public List<Sample>?[] StepInParallel()
        {
            var count = Source.Series.Count;
            var perSeries = new List<Sample>?[count];
            long loaded = 0;
            var options = new ParallelOptions { CancellationToken = ctx.Cancellation };
            try
            {
                Parallel.For(0, (count + SeriesPerParallelBlock - 1) / SeriesPerParallelBlock, options,
                    () => (Scratch: new List<Sample>(), Loaded: 0L),
                    (block, _, local) =>
                    {
                        var to = Math.Min(count, (block + 1) * SeriesPerParallelBlock);
                        for (var k = block * SeriesPerParallelBlock; k < to; k++)
                        {
                            perSeries[k] = Step(k, local.Scratch, null, ref local.Loaded);
                        }
                        return local;
                    },
                    local => Interlocked.Add(ref loaded, local.Loaded));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // The query's own error (too many samples, cancelled), as the sequential path throws it.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            ctx.SamplesLoaded += loaded;
            return perSeries;
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
