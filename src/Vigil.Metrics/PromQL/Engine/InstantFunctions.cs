namespace Vigil.Metrics.PromQL;

/// <summary>Computes a function over one step's argument vectors (scalars arrive as one-element vectors).</summary>
internal delegate void InstantFunction(List<VecSample>[] args, long ts, List<VecSample> output);

/// <summary>The instant-vector and scalar functions of Prometheus 2.42 (<c>promql/functions.go</c>).</summary>
internal static class InstantFunctions
{
    public static InstantFunction Get(CallExpr call)
    {
        var name = call.Function.Name;
        var names = new MetricNameDropper();
        var math = MathFunction(name);
        if (math is not null)
        {
            return (a, ts, o) => Map(a[0], o, math, names);
        }
        return name switch
        {
            "time" => (a, ts, o) => o.Add(new VecSample(Labels.Empty, ts / 1000.0)),
            "pi" => (a, ts, o) => o.Add(new VecSample(Labels.Empty, Math.PI)),
            "vector" => (a, ts, o) => o.Add(new VecSample(Labels.Empty, a[0][0].Value)),
            "scalar" => (a, ts, o) => o.Add(new VecSample(Labels.Empty, a[0].Count == 1 ? a[0][0].Value : double.NaN)),
            "timestamp" => (a, ts, o) => Map(a[0], o, _ => ts / 1000.0, names),
            "clamp" => (a, ts, o) =>
            {
                var min = a[1][0].Value;
                var max = a[2][0].Value;
                if (!(max < min))
                {
                    Map(a[0], o, v => Math.Max(min, Math.Min(max, v)), names);
                }
            }
            ,
            "clamp_min" => (a, ts, o) => { var min = a[1][0].Value; Map(a[0], o, v => Math.Max(min, v), names); }
            ,
            "clamp_max" => (a, ts, o) => { var max = a[1][0].Value; Map(a[0], o, v => Math.Min(max, v), names); }
            ,
            "round" => (a, ts, o) =>
            {
                var toNearest = a.Length > 1 ? a[1][0].Value : 1;
                // Rounds half up, to a multiple of to_nearest (Prometheus: floor(v/n + 0.5) * n via the inverse).
                var inverse = 1.0 / toNearest;
                Map(a[0], o, v => Math.Floor(v * inverse + 0.5) / inverse, names);
            }
            ,
            "absent" => (a, ts, o) =>
            {
                if (a[0].Count == 0)
                {
                    o.Add(new VecSample(AbsentLabels(call.Args[0]), 1));
                }
            }
            ,
            "sort" => (a, ts, o) => SortByValue(a[0], o, descending: false),
            "sort_desc" => (a, ts, o) => SortByValue(a[0], o, descending: true),
            "histogram_quantile" => (a, ts, o) => HistogramQuantile.Compute(a[0][0].Value, a[1], o),
            "histogram_count" or "histogram_sum" or "histogram_fraction" => (a, ts, o) => { }
            ,
            "label_replace" => LabelFunctions.Replace(call),
            "label_join" => LabelFunctions.Join(call),
            "minute" => DateFunction(d => d.Minute, names),
            "hour" => DateFunction(d => d.Hour, names),
            "day_of_month" => DateFunction(d => d.Day, names),
            "day_of_week" => DateFunction(d => d.DayOfWeek, names),
            "day_of_year" => DateFunction(d => d.DayOfYear, names),
            "days_in_month" => DateFunction(d => d.DaysInMonth, names),
            "month" => DateFunction(d => d.Month, names),
            "year" => DateFunction(d => d.Year, names),
            _ => throw new PromQLEvaluationException($"function \"{name}\" is not supported"),
        };
    }

    private static Func<double, double>? MathFunction(string name) => name switch
    {
        "abs" => Math.Abs,
        "ceil" => Math.Ceiling,
        "floor" => Math.Floor,
        "exp" => Math.Exp,
        "sqrt" => Math.Sqrt,
        "ln" => Math.Log,
        "log2" => Math.Log2,
        "log10" => Math.Log10,
        "sgn" => static v => v < 0 ? -1 : v > 0 ? 1 : v,
        "deg" => static v => v * 180 / Math.PI,
        "rad" => static v => v * Math.PI / 180,
        "sin" => Math.Sin,
        "cos" => Math.Cos,
        "tan" => Math.Tan,
        "asin" => Math.Asin,
        "acos" => Math.Acos,
        "atan" => Math.Atan,
        "sinh" => Math.Sinh,
        "cosh" => Math.Cosh,
        "tanh" => Math.Tanh,
        "asinh" => Math.Asinh,
        "acosh" => Math.Acosh,
        "atanh" => Math.Atanh,
        _ => null,
    };

    /// <summary>Applies <paramref name="f"/> to every element, dropping the metric name.</summary>
    private static void Map(List<VecSample> input, List<VecSample> output, Func<double, double> f, MetricNameDropper names)
    {
        foreach (var s in input)
        {
            output.Add(new VecSample(names.Drop(s.Labels), f(s.Value)));
        }
    }

    /// <summary>Date functions read each value as Unix seconds in UTC; without an argument they use the evaluation time.</summary>
    private static InstantFunction DateFunction(Func<CalendarTime, double> part, MetricNameDropper names) => (a, ts, o) =>
    {
        if (a.Length == 0)
        {
            o.Add(new VecSample(Labels.Empty, part(GoCalendar.FromUnixSeconds(ts / 1000))));
            return;
        }
        Map(a[0], o, v => part(GoCalendar.FromUnixSeconds(GoCalendar.ToInt64(v))), names);
    };

    /// <summary>Ascending (or descending) by value with NaNs last; ties keep their order.</summary>
    private static void SortByValue(List<VecSample> input, List<VecSample> output, bool descending)
    {
        output.AddRange(input);
        var keyed = output.Select((s, i) => (s, i)).ToList();
        keyed.Sort((x, y) =>
        {
            var a = x.s.Value;
            var b = y.s.Value;
            int c;
            if (double.IsNaN(a) || double.IsNaN(b))
            {
                c = double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : -1;
            }
            else
            {
                c = descending ? b.CompareTo(a) : a.CompareTo(b);
            }
            return c != 0 ? c : x.i.CompareTo(y.i);
        });
        output.Clear();
        output.AddRange(keyed.Select(k => k.s));
    }

    /// <summary>
    /// Labels of <c>absent()</c>'s output: the equality matchers of a selector argument (other
    /// than <c>__name__</c>), minus any label that also has another matcher.
    /// </summary>
    internal static Labels AbsentLabels(Expr arg)
    {
        var matchers = arg switch
        {
            VectorSelector vs => vs.Matchers,
            MatrixSelector ms => ms.Selector.Matchers,
            _ => null,
        };
        if (matchers is null)
        {
            return Labels.Empty;
        }
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        var drop = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in matchers)
        {
            if (m.Name == Label.MetricName)
            {
                continue;
            }
            if (m.Type == MatchType.Equal && !set.ContainsKey(m.Name))
            {
                set[m.Name] = m.Value;
            }
            else
            {
                drop.Add(m.Name);
            }
        }
        return Labels.From(set.Where(kv => !drop.Contains(kv.Key)).Select(kv => new Label(kv.Key, kv.Value)));
    }
}
