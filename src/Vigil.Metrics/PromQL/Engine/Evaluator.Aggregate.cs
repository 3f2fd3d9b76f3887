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
        return RangeEval((v, ts) =>
        {
            output.Clear();
            var param = a.Param is null ? 0 : v[0][0].Value;
            Aggregation.Run(a.Op, grouping, a.Without, param, null, v[1], state, output);
            return output;
        }, a.Param, a.Inner);
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
        var keyCache = state.Keys;
        var groups = state.Groups;
        var ordered = state.Ordered;
        groups.Clear();
        ordered.Clear();
        foreach (var s in input)
        {
            var labels = s.Labels;
            Labels key;
            if (valueLabel is not null)
            {
                labels = labels.With(valueLabel, Numbers.FormatFixed(s.Value));
                key = GroupLabels(labels, grouping, without, state);
            }
            else if (!keyCache.TryGetValue(labels, out key!))
            {
                key = GroupLabels(labels, grouping, without, state);
                // One instance per group, so that finding the group compares references, not label sets.
                if (!state.Interned.TryGetValue(key, out var same))
                {
                    state.Interned[key] = same = key;
                }
                key = same;
                keyCache[labels] = key;
            }
            if (!groups.TryGetValue(key, out var g))
            {
                if (ordered.Count == state.Pool.Count)
                {
                    state.Pool.Add(new Group());
                }
                g = state.Pool[ordered.Count];
                g.Reset(key, s.Value);
                groups[key] = g;
                ordered.Add(g);
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
                continue;
            }
            Accumulate(op, g, s, k);
        }
        foreach (var g in ordered)
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
                case AggregationOp.TopK or AggregationOp.BottomK:
                    output.AddRange(SortHeap(g.Heap!, op == AggregationOp.TopK));
                    continue;
                case AggregationOp.Quantile:
                    g.Value = RangeFunctions.Quantile(param, [.. g.Values!]);
                    break;
            }
            output.Add(new VecSample(g.Labels, g.Value));
        }
    }

    private static void Accumulate(AggregationOp op, Group g, VecSample s, long k)
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
