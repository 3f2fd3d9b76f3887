namespace Vigil.Metrics.PromQL;

internal sealed partial class Evaluator
{
    private List<StepSeries> EvalBinary(BinaryExpr b)
    {
        var lt = b.Lhs.Type;
        var rt = b.Rhs.Type;
        var output = new List<VecSample>();
        if (lt == PromValueType.Scalar && rt == PromValueType.Scalar)
        {
            return RangeEval((v, ts) =>
            {
                output.Clear();
                output.Add(new VecSample(Labels.Empty, BinaryOperations.Scalar(b.Op, v[0][0].Value, v[1][0].Value)));
                return output;
            }, b.Lhs, b.Rhs);
        }
        if (lt == PromValueType.InstantVector && rt == PromValueType.InstantVector)
        {
            var matcher = new BinaryOperations.VectorMatcher(b.Op, b.Matching!, b.ReturnBool);
            return RangeEval((v, ts) =>
            {
                output.Clear();
                matcher.Apply(v[0], v[1], output);
                return output;
            }, b.Lhs, b.Rhs);
        }
        var vectorOnLeft = lt == PromValueType.InstantVector;
        var names = new MetricNameDropper();
        return RangeEval((v, ts) =>
        {
            output.Clear();
            var vector = vectorOnLeft ? v[0] : v[1];
            var scalar = vectorOnLeft ? v[1][0].Value : v[0][0].Value;
            BinaryOperations.VectorScalar(b.Op, vector, scalar, !vectorOnLeft, b.ReturnBool, output, names);
            return output;
        }, b.Lhs, b.Rhs);
    }
}

/// <summary>Binary operators on scalars and vectors (Prometheus 2.42 <c>VectorBinop</c>, <c>VectorscalarBinop</c>, set operators).</summary>
internal static class BinaryOperations
{
    /// <summary>Arithmetic operators drop the metric name; comparisons and (in 2.42) atan2 keep it.</summary>
    public static bool DropsMetricName(BinaryOp op) =>
        op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod or BinaryOp.Pow;

    public static double Scalar(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Eq => l == r ? 1 : 0,
        BinaryOp.Ne => l != r ? 1 : 0,
        BinaryOp.Gt => l > r ? 1 : 0,
        BinaryOp.Lt => l < r ? 1 : 0,
        BinaryOp.Ge => l >= r ? 1 : 0,
        BinaryOp.Le => l <= r ? 1 : 0,
        _ => Element(op, l, r).Value,
    };

    /// <summary>Arithmetic gives the result; a comparison gives the left value and whether it holds.</summary>
    public static (double Value, bool Keep) Element(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => (l + r, true),
        BinaryOp.Sub => (l - r, true),
        BinaryOp.Mul => (l * r, true),
        BinaryOp.Div => (l / r, true),
        BinaryOp.Mod => (l % r, true),
        BinaryOp.Pow => (Math.Pow(l, r), true),
        BinaryOp.Atan2 => (Math.Atan2(l, r), true),
        BinaryOp.Eq => (l, l == r),
        BinaryOp.Ne => (l, l != r),
        BinaryOp.Gt => (l, l > r),
        BinaryOp.Lt => (l, l < r),
        BinaryOp.Ge => (l, l >= r),
        BinaryOp.Le => (l, l <= r),
        _ => throw new PromQLEvaluationException($"operator \"{Syntax.Spell(op)}\" not allowed here"),
    };

    public static void VectorScalar(BinaryOp op, List<VecSample> vector, double scalar, bool scalarOnLeft, bool returnBool,
        List<VecSample> output, MetricNameDropper names)
    {
        var comparison = Syntax.IsComparison(op);
        foreach (var s in vector)
        {
            var (l, r) = scalarOnLeft ? (scalar, s.Value) : (s.Value, scalar);
            var (value, keep) = Element(op, l, r);
            // A comparison always yields the vector element's value, even with the scalar on the left.
            if (comparison && scalarOnLeft)
            {
                value = r;
            }
            if (returnBool)
            {
                value = keep ? 1 : 0;
                keep = true;
            }
            if (keep)
            {
                var labels = DropsMetricName(op) || returnBool ? names.Drop(s.Labels) : s.Labels;
                output.Add(new VecSample(labels, value));
            }
        }
    }

    /// <summary>Matches two vectors by their signatures (labels of <c>on</c>, or all but <c>ignoring</c> and the name).</summary>
    internal sealed class VectorMatcher(BinaryOp op, VectorMatching matching, bool returnBool)
    {
        private readonly Dictionary<Labels, Labels> signatures = [];
        private readonly Dictionary<Labels, VecSample> oneSide = [];
        private readonly Dictionary<Labels, HashSet<Labels>?> matched = [];
        private readonly HashSet<Labels> sideSignatures = [];
        private readonly Dictionary<(Labels, Labels), Labels> resultLabels = [];
        private readonly string[] matchingLabels = [.. matching.MatchingLabels];
        private readonly string[] ignoredLabels = [.. matching.MatchingLabels, Label.MetricName];

        private Labels Signature(Labels l)
        {
            if (!signatures.TryGetValue(l, out var sig))
            {
                sig = matching.On ? l.Keep(matchingLabels) : l.Without(ignoredLabels);
                signatures[l] = sig;
            }
            return sig;
        }

        public void Apply(List<VecSample> lhs, List<VecSample> rhs, List<VecSample> output)
        {
            switch (op)
            {
                case BinaryOp.And:
                    if (lhs.Count == 0 || rhs.Count == 0)
                    {
                        return;
                    }
                    var right = SignatureSet(rhs);
                    foreach (var s in lhs)
                    {
                        if (right.Contains(Signature(s.Labels)))
                        {
                            output.Add(s);
                        }
                    }
                    return;
                case BinaryOp.Or:
                    output.AddRange(lhs);
                    var left = SignatureSet(lhs);
                    foreach (var s in rhs)
                    {
                        if (!left.Contains(Signature(s.Labels)))
                        {
                            output.Add(s);
                        }
                    }
                    return;
                case BinaryOp.Unless:
                    var exclude = SignatureSet(rhs);
                    foreach (var s in lhs)
                    {
                        if (!exclude.Contains(Signature(s.Labels)))
                        {
                            output.Add(s);
                        }
                    }
                    return;
                default:
                    Arithmetic(lhs, rhs, output);
                    return;
            }
        }

        private HashSet<Labels> SignatureSet(List<VecSample> v)
        {
            var set = sideSignatures;
            set.Clear();
            foreach (var s in v)
            {
                set.Add(Signature(s.Labels));
            }
            return set;
        }

        private void Arithmetic(List<VecSample> lhs, List<VecSample> rhs, List<VecSample> output)
        {
            if (lhs.Count == 0 || rhs.Count == 0)
            {
                return;
            }
            var card = matching.Cardinality;
            // For one-to-many matching the sides swap, so that the right side is always the "one" side.
            if (card == MatchCardinality.OneToMany)
            {
                (lhs, rhs) = (rhs, lhs);
            }
            var oneSide = this.oneSide;
            oneSide.Clear();
            foreach (var r in rhs)
            {
                var sig = Signature(r.Labels);
                if (oneSide.TryGetValue(sig, out var dup))
                {
                    throw new PromQLEvaluationException(
                        $"found duplicate series for the match group {MatchGroup(r.Labels)} on the {(card == MatchCardinality.OneToMany ? "left" : "right")} hand-side of the operation: [{AllLabels(r.Labels)}, {AllLabels(dup.Labels)}];many-to-many matching not allowed: matching labels must be unique on one side");
                }
                oneSide[sig] = r;
            }
            var matched = this.matched;
            matched.Clear();
            foreach (var l in lhs)
            {
                var sig = Signature(l.Labels);
                if (!oneSide.TryGetValue(sig, out var r))
                {
                    continue;
                }
                var (vl, vr) = card == MatchCardinality.OneToMany ? (r.Value, l.Value) : (l.Value, r.Value);
                var (value, keep) = Element(op, vl, vr);
                if (returnBool)
                {
                    value = keep ? 1 : 0;
                }
                else if (!keep)
                {
                    continue;
                }
                var metric = ResultLabels(l.Labels, r.Labels);
                if (card == MatchCardinality.OneToOne)
                {
                    if (matched.ContainsKey(sig))
                    {
                        throw new PromQLEvaluationException("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                    }
                    matched[sig] = null;
                }
                else
                {
                    if (!matched.TryGetValue(sig, out var inserted) || inserted is null)
                    {
                        inserted = [];
                        matched[sig] = inserted;
                    }
                    if (!inserted.Add(metric))
                    {
                        throw new PromQLEvaluationException("multiple matches for labels: grouping labels must ensure unique matches");
                    }
                }
                output.Add(new VecSample(metric, value));
            }
        }

        /// <summary>Prometheus's <c>labels.String()</c>, which its errors print: every label, the name included, in braces.</summary>
        private static string AllLabels(Labels l) =>
            "{" + string.Join(", ", l.Select(x => $"{x.Name}=\"{x.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"")) + "}";

        private string MatchGroup(Labels l) => (matching.On ? l.Keep(matchingLabels) : l.Without(matchingLabels)).ToString();

        /// <summary>
        /// The many side's labels; arithmetic drops the name; one-to-one keeps only the <c>on</c>
        /// labels (or drops the <c>ignoring</c> ones); <c>group_x</c> labels come from the one side.
        /// </summary>
        private Labels ResultLabels(Labels many, Labels one)
        {
            if (resultLabels.TryGetValue((many, one), out var cached))
            {
                return cached;
            }
            var result = many;
            if (DropsMetricName(op) || returnBool)
            {
                result = MetricNameDropper.Without(result);
            }
            if (matching.Cardinality == MatchCardinality.OneToOne)
            {
                result = matching.On ? result.Keep(matchingLabels) : result.Without(matchingLabels);
            }
            foreach (var name in matching.Include)
            {
                result = result.With(name, one.Get(name));
            }
            resultLabels[(many, one)] = result;
            return result;
        }
    }
}
