using System.Runtime.InteropServices;

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
        if (series.Count >= 2 * SeriesPerParallelBlock && Environment.ProcessorCount > 1)
        {
            // Each series' windows are independent of the others', so blocks of series are stepped
            // on every core, and their points handed on in series order as one core would: an
            // aggregation adds them up in the same order, to the bit.
            stepper.StepInParallel(reusePoints ? new List<Sample>(StepCount) : null, emit);
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

        /// <summary>
        /// Every series' points, stepped a block of series at a time on all cores and handed to
        /// <paramref name="emit"/> in series order: in <paramref name="shared"/> when given (a wave of
        /// blocks at a time, so that memory holds a few blocks' points), else each in a list of its own.
        /// </summary>
        public void StepInParallel(List<Sample>? shared, Action<RangeSource, int, List<Sample>> emit)
        {
            var count = Source.Series.Count;
            var blockCount = (count + SeriesPerParallelBlock - 1) / SeriesPerParallelBlock;
            var blocks = new StepBlock[shared is null ? blockCount : Math.Min(blockCount, Math.Max(4, 2 * Environment.ProcessorCount))];
            var options = new ParallelOptions { CancellationToken = ctx.Cancellation };
            for (var first = 0; first < blockCount; first += blocks.Length)
            {
                var wave = Math.Min(blocks.Length, blockCount - first);
                try
                {
                    Parallel.For(0, wave, options, () => new List<Sample>(), (i, _, scratch) =>
                    {
                        var from = (first + i) * SeriesPerParallelBlock;
                        (blocks[i] ??= new StepBlock()).Step(this, scratch, from, Math.Min(count, from + SeriesPerParallelBlock), pointsTogether: shared is not null);
                        return scratch;
                    }, _ => { });
                }
                catch (AggregateException e) when (e.InnerExceptions.Count > 0)
                {
                    // The query's own error (too many samples, cancelled), as the single-core path throws it.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
                for (var i = 0; i < wave; i++)
                {
                    Emit(blocks[i], shared, emit);
                }
            }
        }

        private void Emit(StepBlock block, List<Sample>? shared, Action<RangeSource, int, List<Sample>> emit)
        {
            ctx.SamplesLoaded += block.Loaded;
            for (var j = 0; j < block.Count; j++)
            {
                if (shared is null)
                {
                    if (block.Lists[j] is { } points)
                    {
                        emit(Source, block.From + j, points);
                    }
                    continue;
                }
                var from = j == 0 ? 0 : block.Ends[j - 1];
                if (block.Ends[j] > from)
                {
                    shared.Clear();
                    shared.AddRange(CollectionsMarshal.AsSpan(block.Points)[from..block.Ends[j]]);
                    emit(Source, block.From + j, shared);
                }
            }
        }
    }

    /// <summary>One block's series stepped by one core: their points, in one list (ended at <see cref="Ends"/>) or each in its own.</summary>
    private sealed class StepBlock
    {
        public readonly List<Sample> Points = [];
        public readonly int[] Ends = new int[SeriesPerParallelBlock];
        public readonly List<Sample>?[] Lists = new List<Sample>?[SeriesPerParallelBlock];
        public int From { get; private set; }
        public int Count { get; private set; }
        public long Loaded;

        public void Step(WindowStepper stepper, List<Sample> scratch, int from, int to, bool pointsTogether)
        {
            From = from;
            Count = to - from;
            Loaded = 0;
            Points.Clear();
            for (var k = from; k < to; k++)
            {
                if (pointsTogether)
                {
                    stepper.Step(k, scratch, Points, ref Loaded);
                    Ends[k - from] = Points.Count;
                }
                else
                {
                    Lists[k - from] = stepper.Step(k, scratch, null, ref Loaded);
                }
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
