using System.Runtime.InteropServices;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.PromQL;

/// <summary>
/// A series' samples as the store returned them (array or list, read as a span without copying),
/// or still encoded (<see cref="LazySeries"/>), decoded when read into a buffer the reader reuses
/// from series to series.
/// </summary>
internal readonly struct SampleRun(Sample[]? array, List<Sample>? list = null, LazySeries? lazy = null)
{
    public static SampleRun Of(IReadOnlyList<Sample> samples) => samples switch
    {
        Sample[] a => new SampleRun(a),
        List<Sample> l => new SampleRun(null, l),
        _ => new SampleRun([.. samples]),
    };

    public static SampleRun Of(LazySeries series) => new(null, null, series);

    /// <summary>
    /// The samples, without staleness markers when <paramref name="dropStale"/>. A lazy run is
    /// decoded into <paramref name="scratch"/>: the span is valid until that is used again.
    /// </summary>
    public ReadOnlySpan<Sample> Read(List<Sample> scratch, bool dropStale)
    {
        ReadOnlySpan<Sample> span;
        var inScratch = false;
        if (lazy is null)
        {
            span = array is not null ? array : CollectionsMarshal.AsSpan(list);
        }
        else
        {
            var samples = lazy.Read(scratch);
            inScratch = ReferenceEquals(samples, scratch);
            span = samples switch
            {
                Sample[] a => a,
                List<Sample> l => CollectionsMarshal.AsSpan(l),
                _ => samples.ToArray(),
            };
        }
        return dropStale ? WithoutStaleMarkers(span, inScratch ? scratch : null) : span;
    }

    /// <summary>The samples that are not staleness markers: in place when they are in <paramref name="scratch"/>, else copied when there is one.</summary>
    private static ReadOnlySpan<Sample> WithoutStaleMarkers(ReadOnlySpan<Sample> samples, List<Sample>? scratch)
    {
        var first = -1;
        for (var i = 0; i < samples.Length; i++)
        {
            if (Sample.IsStaleNaN(samples[i].Value))
            {
                first = i;
                break;
            }
        }
        if (first < 0)
        {
            return samples;
        }
        var result = scratch is not null ? CollectionsMarshal.AsSpan(scratch) : samples.ToArray();
        var j = first;
        for (var i = first + 1; i < samples.Length; i++)
        {
            if (!Sample.IsStaleNaN(samples[i].Value))
            {
                result[j++] = samples[i];
            }
        }
        return result[..j];
    }
}

internal sealed partial class Evaluator
{
    /// <summary>
    /// Matching series for [minT, maxT], sorted by labels as Prometheus's storage returns them; their
    /// samples are decoded as each is read (<see cref="SampleRun.Read"/>), so that stepping through
    /// 10,000 series holds one series' samples at a time, not all of them.
    /// </summary>
    private List<(Labels Labels, SampleRun Samples)> Select(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT)
    {
        var found = ctx.Querier.SelectLazy(minT, maxT, matchers);
        var list = new List<(Labels, SampleRun)>(found.Count);
        foreach (var s in found)
        {
            list.Add((s.Labels, SampleRun.Of(s)));
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
        var series = Select(vs.Matchers, minRef - ctx.LookbackMs, maxRef);
        var result = new List<StepSeries>(series.Count);
        var scratch = new List<Sample>();
        foreach (var (labels, run) in series)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var samples = run.Read(scratch, dropStale: false);
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
    internal sealed class RangeSource(List<(Labels Labels, SampleRun Samples)> series, long rangeMs, long offsetMs, long? atMs, bool dropStale)
    {
        public List<(Labels Labels, SampleRun Samples)> Series { get; } = series;
        /// <summary>Whether staleness markers are dropped as the series are read (a selector's data, not a subquery's points).</summary>
        public bool DropStale { get; } = dropStale;
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
                    var series = Select(vs.Matchers, minRef - ms.RangeMs, maxRef);
                    return new RangeSource(series, ms.RangeMs, vs.OffsetMs, at, dropStale: true);
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
                    return new RangeSource(series, sq.RangeMs, sq.OffsetMs, at, dropStale: false);
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
        var scratch = new List<Sample>();
        foreach (var (labels, run) in src.Series)
        {
            var samples = run.Read(scratch, src.DropStale);
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
