using System.Globalization;

namespace Vigil.Metrics.PromQL;

internal sealed partial class Evaluator
{
    private List<StepSeries> EvalAggregate(AggregateExpr a)
    {
        var grouping = a.Grouping.Order(StringComparer.Ordinal).ToArray();
        var state = new Aggregation.State();
        var output = new List<VecSample>();
        if (a.Op == AggregationOp.CountValues)
        {
            var valueLabel = PromQLEngine.StringOf(a.Param!);
            if (!LabelFunctions.IsValidLabelName(valueLabel))
            {
                throw new PromQLEvaluationException($"invalid label name \"{valueLabel}\"");
            }
            if (!a.Without)
            {
                grouping = [.. grouping.Append(valueLabel).Order(StringComparer.Ordinal)];
            }
            return RangeEval((v, ts) =>
            {
                output.Clear();
                Aggregation.Run(a.Op, grouping, a.Without, 0, valueLabel, v[0], state, output);
                return output;
            }, a.Inner);
        }
        Func<List<VecSample>[], long, List<VecSample>> step = (v, ts) =>
        {
            output.Clear();
            var param = a.Param is null ? 0 : v[0][0].Value;
            Aggregation.Run(a.Op, grouping, a.Without, param, null, v[1], state, output);
            return output;
        };
        if (a.Param is null && a.Op is AggregationOp.Sum or AggregationOp.Avg or AggregationOp.Count or AggregationOp.Min or AggregationOp.Max or AggregationOp.Group)
        {
            if (Unwrap(a.Inner) is CallExpr { Args.Count: 1 } call && Unwrap(call.Args[0]) is MatrixSelector or SubqueryExpr
                && call.Function.Name != "absent_over_time" && RangeFunctions.Get(call.Function.Name) is not null)
            {
                // A range function's series go straight into the groups' cells, one at a time (an
                // instant query too: one cell per group, and no vector of every series' value).
                var src = LoadRange(call.Args[0]);
                return AggregateRangeFunction(a.Op, grouping, a.Without, call, src, state) ?? RangeEvalOver(step, [null, EvalRangeFunction(call, 0, src)]);
            }
            if (StepCount > 1)
            {
                var mat = Eval(a.Inner);
                return AggregateBySeries(a.Op, grouping, a.Without, mat, state) ?? RangeEvalOver(step, [null, mat]);
            }
        }
        return RangeEval(step, a.Param, a.Inner);
    }

    /// <summary>
    /// A range query's aggregation without a parameter, series by series instead of step by step
    /// (Prometheus's rangeEval builds each step's vector from all input series and groups it; the
    /// answer is the same): each input series is put into its group once, and its points go into
    /// that group's cell for their step, in input order, so every cell sees its values in the order
    /// the step-by-step evaluation would. Groups come out in the order that evaluation makes them
    /// (the step each first has a value, then its first series there). Null when the aggregation
    /// does not reduce the series much (a cell per group and step would cost more than it saves).
    /// </summary>
    private List<StepSeries>? AggregateBySeries(AggregationOp op, string[] grouping, bool without, List<StepSeries> mat, Aggregation.State state)
    {
        var keys = new Labels[mat.Count];
        for (var j = 0; j < mat.Count; j++)
        {
            keys[j] = Aggregation.KeyOnce(mat[j].Labels, grouping, without, state);
        }
        if (!Reduces(keys))
        {
            return null;
        }
        var cells = new SeriesCells(ctx, start, interval, StepCount, op);
        for (var j = 0; j < mat.Count; j++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            cells.Add(keys[j], mat[j].Labels, mat[j].Points);
        }
        return cells.Finish();
    }

    /// <summary>
    /// <see cref="AggregateBySeries"/> over a range function (<c>sum by (job) (rate(x[5m]))</c>)
    /// without the function's whole result in memory: each series' points are computed into one
    /// list, put into the groups' cells and the list reused for the next series. The result and
    /// its errors are those of the function evaluated first. Null, with nothing evaluated, when the
    /// aggregation does not reduce the series much.
    /// </summary>
    private List<StepSeries>? AggregateRangeFunction(AggregationOp op, string[] grouping, bool without, CallExpr call, RangeSource src, Aggregation.State state)
    {
        // When the selector names one metric, dropping the name cannot make two series one, and a key
        // that does not keep the name is the same from the series' own labels: neither is worked
        // out per series then (the cells' samples need no labels of their own for these operators).
        var oneName = Unwrap(call.Args[0]) is MatrixSelector ms && ms.Selector.Matchers.Any(m => m.Name == Label.MetricName && m.Type == MatchType.Equal)
            && (without || !grouping.Contains(Label.MetricName));
        var labels = new Labels[src.Series.Count];
        var keys = new Labels[src.Series.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = oneName ? src.Series[i].Labels : RangeFunctionLabels(call, src.Series[i].Labels);
            keys[i] = Aggregation.KeyOnce(labels[i], grouping, without, state);
        }
        if (!Reduces(keys))
        {
            return null;
        }
        var cells = new SeriesCells(ctx, start, interval, StepCount, op);
        // The function's own check (EnsureUniqueLabelsets): dropping the metric name may make two series one.
        var seen = oneName ? null : new HashSet<Labels>(labels.Length);
        long produced = 0;
        StepRangeFunction(call, 0, src, reusePoints: true, (_, i, points) =>
        {
            if (seen is not null && !seen.Add(labels[i]))
            {
                throw new PromQLEvaluationException("vector cannot contain metrics with the same labelset");
            }
            produced += points.Count;
            cells.Add(keys[i], labels[i], points);
        });
        // The samples the function's result would have held, counted as Eval counts them (the aggregation's Eval resets them after).
        var before = ctx.CurrentSamples;
        ctx.CheckSamples(produced);
        ctx.CurrentSamples = before + produced;
        return cells.Finish();
    }

    /// <summary>Whether series with these group keys are few enough groups for a cell per group and step.</summary>
    private static bool Reduces(Labels[] keys)
    {
        var groups = new HashSet<Labels>(ReferenceEqualityComparer.Instance);
        foreach (var key in keys)
        {
            if (groups.Add(key) && groups.Count * 4 > keys.Length)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The groups' step cells of <see cref="AggregateBySeries"/>, filled one input series at a time.</summary>
    private sealed class SeriesCells(QueryContext ctx, long start, long interval, int steps, AggregationOp op)
    {
        private readonly Dictionary<Labels, int> index = new(ReferenceEqualityComparer.Instance);
        private readonly List<Aggregation.Group?[]> cells = [];
        private readonly List<(int Step, int Series)> first = [];
        private readonly int[] perStep = new int[steps];
        private int series;

        /// <summary>Adds one input series (with at least one point) to its group's cells; <paramref name="points"/> is not kept.</summary>
        public void Add(Labels key, Labels labels, List<Sample> points)
        {
            var j = series++;
            if (points.Count == 0)
            {
                return;
            }
            if (!index.TryGetValue(key, out var g))
            {
                index[key] = g = cells.Count;
                cells.Add(new Aggregation.Group?[steps]);
                first.Add((int.MaxValue, int.MaxValue));
            }
            var row = cells[g];
            var at = (int)((points[0].TimestampMs - start) / interval);
            if (at < first[g].Step)
            {
                first[g] = (at, j);
            }
            foreach (var point in points)
            {
                var i = (int)((point.TimestampMs - start) / interval);
                var sample = new VecSample(labels, point.Value);
                if (row[i] is { } cell)
                {
                    Aggregation.Accumulate(op, cell, sample, 0);
                }
                else
                {
                    Aggregation.Begin(op, row[i] = new Aggregation.Group(), key, sample);
                    perStep[i]++;
                }
            }
        }

        public List<StepSeries> Finish()
        {
            // What the step-by-step evaluation checks at each step (RangeEval): the inputs and that step's groups.
            ctx.CheckSamples(perStep.Length == 0 ? 0 : perStep.Max());
            var result = new List<StepSeries>(cells.Count);
            foreach (var g in Enumerable.Range(0, cells.Count).OrderBy(g => first[g]))
            {
                var points = new List<Sample>(steps);
                Labels? labels = null;
                for (var i = 0; i < steps; i++)
                {
                    if (cells[g][i] is { } cell)
                    {
                        Aggregation.Finish(op, cell, 0);
                        labels = cell.Labels;
                        points.Add(new Sample(start + (i * interval), cell.Value));
                    }
                }
                result.Add(new StepSeries(labels!, points));
            }
            return result;
        }
    }
}

/// <summary>Aggregation operators over one step's vector (Prometheus 2.42 <c>evaluator.aggregation</c>).</summary>
internal static class Aggregation
{
    internal sealed class Group
    {
        public Labels Labels { get; private set; } = Labels.Empty;
        public double Value { get; set; }
        public double Mean { get; set; }
        public long Count { get; set; }
        public List<VecSample>? Heap { get; set; }
        public List<double>? Values { get; set; }

        public void Reset(Labels labels, double value)
        {
            Labels = labels;
            Value = value;
            Mean = value;
            Count = 1;
            Heap = null;
            Values = null;
        }
    }

    /// <summary>Buffers reused from step to step: group keys per series, the groups and their objects.</summary>
    internal sealed class State
    {
        /// <summary>
        /// Keyed by reference: a series' labels are the same object at every step, and hashing the
        /// reference is cheaper than comparing label sets 10,000 times a step; an equal set held
        /// by another object only computes its key once more.
        /// </summary>
        public Dictionary<Labels, Labels> Keys { get; } = new(ReferenceEqualityComparer.Instance);
        internal Dictionary<Labels, Group> Groups { get; } = [];
        internal List<Group> Ordered { get; } = [];
        internal List<Group> Pool { get; } = [];

        /// <summary>The names a group key keeps or drops, as a set built once rather than once per series.</summary>
        internal HashSet<string>? Names { get; set; }

        /// <summary>Group keys by content, each the one instance every series of that group gets.</summary>
        internal Dictionary<Labels, Labels> Interned { get; } = [];
    }

    /// <summary>The group a series falls into: <c>by</c> keeps the listed labels; <c>without</c> drops them and the metric name.</summary>
    public static Labels GroupLabels(Labels labels, string[] grouping, bool without) =>
        GroupLabels(labels, grouping, without, new State());

    private static Labels GroupLabels(Labels labels, string[] grouping, bool without, State state)
    {
        if (!without && grouping.Length == 0)
        {
            return Labels.Empty;
        }
        var names = state.Names ??= new HashSet<string>(without ? [.. grouping, Label.MetricName] : grouping, StringComparer.Ordinal);
        return without ? labels.Without(names) : labels.Keep(names);
    }

    public static void Run(AggregationOp op, string[] grouping, bool without, double param, string? valueLabel,
        List<VecSample> input, State state, List<VecSample> output)
    {
        long k = 0;
        if (op is AggregationOp.TopK or AggregationOp.BottomK)
        {
            if (double.IsNaN(param) || param >= 9.2233720368547758e18 || param <= -9.2233720368547758e18)
            {
                throw new PromQLEvaluationException($"Scalar value {Numbers.Format(param)} overflows int64");
            }
            k = (long)param;
            if (k < 1)
            {
                return;
            }
        }
        var groups = state.Groups;
        var ordered = state.Ordered;
        groups.Clear();
        ordered.Clear();
        foreach (var s in input)
        {
            var key = valueLabel is null
                ? KeyOf(s.Labels, grouping, without, state)
                : GroupLabels(s.Labels.With(valueLabel, Numbers.FormatFixed(s.Value)), grouping, without, state);
            if (!groups.TryGetValue(key, out var g))
            {
                if (ordered.Count == state.Pool.Count)
                {
                    state.Pool.Add(new Group());
                }
                g = state.Pool[ordered.Count];
                Begin(op, g, key, s);
                groups[key] = g;
                ordered.Add(g);
                continue;
            }
            Accumulate(op, g, s, k);
        }
        foreach (var g in ordered)
        {
            if (op is AggregationOp.TopK or AggregationOp.BottomK)
            {
                output.AddRange(SortHeap(g.Heap!, op == AggregationOp.TopK));
                continue;
            }
            Finish(op, g, param);
            output.Add(new VecSample(g.Labels, g.Value));
        }
    }

    /// <summary>
    /// The group key of a series' labels, the one instance every series of that group gets (so that
    /// finding the group compares references, not label sets), remembered per labels instance.
    /// </summary>
    internal static Labels KeyOf(Labels labels, string[] grouping, bool without, State state)
    {
        if (!state.Keys.TryGetValue(labels, out var key))
        {
            state.Keys[labels] = key = KeyOnce(labels, grouping, without, state);
        }
        return key;
    }

    /// <summary>
    /// <see cref="KeyOf"/> for labels keyed only once (series by series): the key is interned, but
    /// not remembered per labels instance.
    /// </summary>
    internal static Labels KeyOnce(Labels labels, string[] grouping, bool without, State state)
    {
        var key = GroupLabels(labels, grouping, without, state);
        if (!state.Interned.TryGetValue(key, out var same))
        {
            state.Interned[key] = same = key;
        }
        return same;
    }

    /// <summary>Starts group <paramref name="g"/> with its first sample.</summary>
    internal static void Begin(AggregationOp op, Group g, Labels key, VecSample s)
    {
        g.Reset(key, s.Value);
        switch (op)
        {
            case AggregationOp.Stddev or AggregationOp.Stdvar:
                g.Value = 0;
                break;
            case AggregationOp.TopK or AggregationOp.BottomK:
                g.Heap = [s];
                break;
            case AggregationOp.Quantile:
                g.Values = [s.Value];
                break;
            case AggregationOp.Group:
                g.Value = 1;
                break;
        }
    }

    /// <summary>Sets a group's value once all its samples are in (not for topk and bottomk, whose samples are the answer).</summary>
    internal static void Finish(AggregationOp op, Group g, double param)
    {
        switch (op)
        {
            case AggregationOp.Avg:
                g.Value = g.Mean;
                break;
            case AggregationOp.Count or AggregationOp.CountValues:
                g.Value = g.Count;
                break;
            case AggregationOp.Stdvar:
                g.Value /= g.Count;
                break;
            case AggregationOp.Stddev:
                g.Value = Math.Sqrt(g.Value / g.Count);
                break;
            case AggregationOp.Quantile:
                g.Value = RangeFunctions.Quantile(param, [.. g.Values!]);
                break;
        }
    }

    internal static void Accumulate(AggregationOp op, Group g, VecSample s, long k)
    {
        var v = s.Value;
        switch (op)
        {
            case AggregationOp.Sum:
                g.Value += v;
                break;
            case AggregationOp.Avg:
                g.Count++;
                if (double.IsInfinity(g.Mean))
                {
                    // An infinite mean stays as it is unless a NaN or an opposite infinity arrives.
                    if (double.IsInfinity(v) && g.Mean > 0 == v > 0)
                    {
                        break;
                    }
                    if (!double.IsInfinity(v) && !double.IsNaN(v))
                    {
                        break;
                    }
                }
                g.Mean += v / g.Count - g.Mean / g.Count;
                break;
            case AggregationOp.Max:
                if (g.Value < v || double.IsNaN(g.Value))
                {
                    g.Value = v;
                }
                break;
            case AggregationOp.Min:
                if (g.Value > v || double.IsNaN(g.Value))
                {
                    g.Value = v;
                }
                break;
            case AggregationOp.Count or AggregationOp.CountValues:
                g.Count++;
                break;
            case AggregationOp.Stddev or AggregationOp.Stdvar:
                g.Count++;
                var delta = v - g.Mean;
                g.Mean += delta / g.Count;
                g.Value += delta * (v - g.Mean);
                break;
            case AggregationOp.TopK:
                HeapOffer(g.Heap!, s, k, reverse: false);
                break;
            case AggregationOp.BottomK:
                HeapOffer(g.Heap!, s, k, reverse: true);
                break;
            case AggregationOp.Quantile:
                g.Values!.Add(v);
                break;
        }
    }

    // topk keeps a min-heap of the k largest (bottomk a max-heap of the k smallest), NaN counting as
    // the weakest element, with the sift rules of Go's container/heap so ties resolve as in Prometheus.
    private static bool Less(List<VecSample> h, int i, int j, bool reverse) =>
        double.IsNaN(h[i].Value) || (reverse ? h[i].Value > h[j].Value : h[i].Value < h[j].Value);

    private static void HeapOffer(List<VecSample> h, VecSample s, long k, bool reverse)
    {
        var top = h[0].Value;
        var better = reverse ? top > s.Value : top < s.Value;
        if (!(h.Count < k || better || double.IsNaN(top)))
        {
            return;
        }
        if (h.Count == k)
        {
            if (k == 1)
            {
                h[0] = s;
                return;
            }
            var n = h.Count - 1;
            (h[0], h[n]) = (h[n], h[0]);
            Down(h, 0, n, reverse);
            h.RemoveAt(n);
        }
        h.Add(s);
        Up(h, h.Count - 1, reverse);
    }

    private static void Up(List<VecSample> h, int j, bool reverse)
    {
        while (true)
        {
            var i = (j - 1) / 2;
            if (i == j || !Less(h, j, i, reverse))
            {
                break;
            }
            (h[i], h[j]) = (h[j], h[i]);
            j = i;
        }
    }

    private static void Down(List<VecSample> h, int i, int n, bool reverse)
    {
        while (true)
        {
            var j1 = 2 * i + 1;
            if (j1 >= n || j1 < 0)
            {
                break;
            }
            var j = j1;
            if (j1 + 1 < n && Less(h, j1 + 1, j1, reverse))
            {
                j = j1 + 1;
            }
            if (!Less(h, j, i, reverse))
            {
                break;
            }
            (h[i], h[j]) = (h[j], h[i]);
            i = j;
        }
    }

    /// <summary>topk output is descending, bottomk ascending; NaNs last.</summary>
    private static IEnumerable<VecSample> SortHeap(List<VecSample> heap, bool descending)
    {
        var keyed = heap.Select((s, i) => (s, i)).ToList();
        keyed.Sort((x, y) =>
        {
            var a = x.s.Value;
            var b = y.s.Value;
            int c = double.IsNaN(a) || double.IsNaN(b)
                ? (double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : -1)
                : descending ? b.CompareTo(a) : a.CompareTo(b);
            return c != 0 ? c : x.i.CompareTo(y.i);
        });
        return keyed.Select(x => x.s);
    }

}
