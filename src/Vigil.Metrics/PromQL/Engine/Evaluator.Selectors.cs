using System.Runtime.InteropServices;

namespace Vigil.Metrics.PromQL;

/// <summary>A series' samples as the store returned them (array or list), read as a span without copying.</summary>
internal readonly struct SampleRun(Sample[]? array, List<Sample>? list = null)
{
    public ReadOnlySpan<Sample> Span => array is not null ? array : CollectionsMarshal.AsSpan(list);

    public static SampleRun Of(IReadOnlyList<Sample> samples) => samples switch
    {
        Sample[] a => new SampleRun(a),
        List<Sample> l => new SampleRun(null, l),
        _ => new SampleRun([.. samples]),
    };
}

internal sealed partial class Evaluator
{
    /// <summary>Reads matching series for [minT, maxT], sorted by labels as Prometheus's storage returns them.</summary>
    private List<(Labels Labels, SampleRun Samples)> Select(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, bool dropStale)
    {
        var found = ctx.Querier.Select(minT, maxT, matchers);
        var list = new List<(Labels, SampleRun)>(found.Count);
        foreach (var s in found)
        {
            var run = SampleRun.Of(s.Samples);
            if (dropStale)
            {
                run = WithoutStaleMarkers(run);
            }
            list.Add((s.Labels, run));
        }
        // The store returns series in label order already; sorting costs n log n comparisons even then.
        if (!IsSortedByLabels(list))
        {
            list.Sort(static (a, b) => Labels.Compare(a.Item1, b.Item1));
        }
        return list;
    }

    private static bool IsSortedByLabels(List<(Labels Labels, SampleRun Samples)> list)
    {
        for (var i = 1; i < list.Count; i++)
        {
            if (Labels.Compare(list[i - 1].Labels, list[i].Labels) > 0)
            {
                return false;
            }
        }
        return true;
    }

    private static SampleRun WithoutStaleMarkers(SampleRun run)
    {
        var arr = run.Span;
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
            return run;
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
        return new SampleRun(result);
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
        foreach (var (labels, run) in series)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var samples = run.Span;
            List<Sample>? points = null;
            var next = 0;
            for (var ts = start; ts <= end; ts += interval)
            {
                var refTime = (at ?? ts) - vs.OffsetMs;
                // Reference times only grow from step to step, so a cursor replaces a search.
                while (next < samples.Length && samples[next].TimestampMs <= refTime)
                {
                    next++;
                }
                if (next == 0)
                {
                    continue;
                }
                var s = samples[next - 1];
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
    internal sealed class RangeSource(List<(Labels Labels, SampleRun Samples)> series, long rangeMs, long offsetMs, long? atMs)
    {
        public List<(Labels Labels, SampleRun Samples)> Series { get; } = series;
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
                    var series = new List<(Labels, SampleRun)>(inner.Count);
                    foreach (var s in inner)
                    {
                        series.Add((s.Labels, SampleRun.Of(s.Points)));
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
        foreach (var (labels, run) in src.Series)
        {
            var samples = run.Span;
            var lo = LowerBound(samples, windowEnd - src.RangeMs);
            var hi = UpperBound(samples, windowEnd);
            if (hi > lo)
            {
                result.Add(new StepSeries(labels, [.. samples[lo..hi]]));
            }
        }
        return result;
    }

}
