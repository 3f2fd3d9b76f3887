namespace Vigil.Metrics.PromQL;

/// <summary>What a range-vector function knows besides the window's samples.</summary>
/// <param name="RangeStart">Start of the window (reference time minus range), in milliseconds.</param>
/// <param name="RangeEnd">End of the window (the reference time), in milliseconds.</param>
/// <param name="RangeMs">The window length.</param>
/// <param name="Ts">The evaluation step's time.</param>
/// <param name="Arg">The scalar argument of <c>quantile_over_time</c>, <c>predict_linear</c>, <c>holt_winters</c> (first).</param>
/// <param name="Arg2">The second scalar argument of <c>holt_winters</c>.</param>
internal readonly record struct WindowInfo(long RangeStart, long RangeEnd, long RangeMs, long Ts, double Arg, double Arg2);

/// <summary>Computes a range-vector function over one window; false when the window yields no sample.</summary>
internal delegate bool WindowFunction(ReadOnlySpan<Sample> window, in WindowInfo info, out double value);

/// <summary>The range-vector functions of Prometheus 2.42 (<c>promql/functions.go</c>), over one series' window.</summary>
internal static class RangeFunctions
{
    public static WindowFunction? Get(string name) => name switch
    {
        "rate" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => ExtrapolatedRate(w, i, true, true, out v),
        "increase" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => ExtrapolatedRate(w, i, true, false, out v),
        "delta" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => ExtrapolatedRate(w, i, false, false, out v),
        "irate" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => InstantValue(w, true, out v),
        "idelta" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => InstantValue(w, false, out v),
        "deriv" => Deriv,
        "predict_linear" => PredictLinear,
        "holt_winters" => HoltWinters,
        "changes" => Changes,
        "resets" => Resets,
        "avg_over_time" => AvgOverTime,
        "sum_over_time" => SumOverTime,
        "count_over_time" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => { v = w.Length; return true; }
        ,
        "min_over_time" => MinOverTime,
        "max_over_time" => MaxOverTime,
        "stddev_over_time" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => { v = Math.Sqrt(Variance(w)); return true; }
        ,
        "stdvar_over_time" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => { v = Variance(w); return true; }
        ,
        "quantile_over_time" => QuantileOverTime,
        "last_over_time" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => { v = w[^1].Value; return true; }
        ,
        "present_over_time" or "absent_over_time" => static (ReadOnlySpan<Sample> w, in WindowInfo i, out double v) => { v = 1; return true; }
        ,
        _ => null,
    };

    /// <summary>
    /// rate/increase/delta: the change over the sampled interval, extrapolated towards the window
    /// edges when the first/last sample is within 1.1 average sample intervals of them (else by half
    /// an interval), not below a counter's zero point; rate divides by the full range.
    /// </summary>
    private static bool ExtrapolatedRate(ReadOnlySpan<Sample> w, in WindowInfo info, bool isCounter, bool isRate, out double value)
    {
        value = 0;
        if (w.Length < 2)
        {
            return false;
        }
        var first = w[0];
        var last = w[^1];
        var result = last.Value - first.Value;
        if (isCounter)
        {
            var prev = 0.0;
            foreach (var s in w)
            {
                if (s.Value < prev)
                {
                    result += prev;
                }
                prev = s.Value;
            }
        }
        var durationToStart = (first.TimestampMs - info.RangeStart) / 1000.0;
        var durationToEnd = (info.RangeEnd - last.TimestampMs) / 1000.0;
        var sampledInterval = (last.TimestampMs - first.TimestampMs) / 1000.0;
        var averageBetween = sampledInterval / (w.Length - 1);
        if (isCounter && result > 0 && first.Value >= 0)
        {
            var durationToZero = sampledInterval * (first.Value / result);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }
        var threshold = averageBetween * 1.1;
        var extrapolateTo = sampledInterval;
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
        // Prometheus 2.42 folds the division by the range into the factor and multiplies once
        // (factor := extrapolateToInterval / sampledInterval; factor /= range; result *= factor):
        // the last digit of rate() depends on doing the same (232 * (1/300) != 232 / 300).
        var factor = extrapolateTo / sampledInterval;
        if (isRate)
        {
            factor /= info.RangeMs / 1000.0;
        }
        value = result * factor;
        return true;
    }

    private static bool InstantValue(ReadOnlySpan<Sample> w, bool isRate, out double value)
    {
        value = 0;
        if (w.Length < 2)
        {
            return false;
        }
        var last = w[^1];
        var prev = w[^2];
        value = isRate && last.Value < prev.Value ? last.Value : last.Value - prev.Value;
        var interval = last.TimestampMs - prev.TimestampMs;
        if (interval == 0)
        {
            return false;
        }
        if (isRate)
        {
            value /= interval / 1000.0;
        }
        return true;
    }

    private static bool Deriv(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        value = 0;
        if (w.Length < 2)
        {
            return false;
        }
        // Regression around the first sample's time avoids float precision loss (prometheus#2674).
        (value, _) = LinearRegression(w, w[0].TimestampMs);
        return true;
    }

    private static bool PredictLinear(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        value = 0;
        if (w.Length < 2)
        {
            return false;
        }
        var (slope, intercept) = LinearRegression(w, info.Ts);
        value = slope * info.Arg + intercept;
        return true;
    }

    internal static (double Slope, double Intercept) LinearRegression(ReadOnlySpan<Sample> w, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        var initY = w[0].Value;
        var constY = true;
        for (var i = 0; i < w.Length; i++)
        {
            var s = w[i];
            if (constY && i > 0 && s.Value != initY)
            {
                constY = false;
            }
            n += 1;
            var x = (s.TimestampMs - interceptTime) / 1e3;
            KahanAdd(x, ref sumX, ref cX);
            KahanAdd(s.Value, ref sumY, ref cY);
            KahanAdd(x * s.Value, ref sumXY, ref cXY);
            KahanAdd(x * x, ref sumX2, ref cX2);
        }
        if (constY)
        {
            return double.IsInfinity(initY) ? (double.NaN, double.NaN) : (0, initY);
        }
        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        var covXY = sumXY - sumX * sumY / n;
        var varX = sumX2 - sumX * sumX / n;
        var slope = covXY / varX;
        return (slope, sumY / n - slope * sumX / n);
    }

    private static void KahanAdd(double inc, ref double sum, ref double c)
    {
        var t = sum + inc;
        if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += sum - t + inc;
        }
        else
        {
            c += inc - t + sum;
        }
        sum = t;
    }

    private static bool HoltWinters(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        value = 0;
        var sf = info.Arg;
        var tf = info.Arg2;
        if (sf <= 0 || sf >= 1)
        {
            throw new PromQLEvaluationException($"invalid smoothing factor. Expected: 0 < sf < 1, got: {sf:F6}");
        }
        if (tf <= 0 || tf >= 1)
        {
            throw new PromQLEvaluationException($"invalid trend factor. Expected: 0 < tf < 1, got: {tf:F6}");
        }
        if (w.Length < 2)
        {
            return false;
        }
        double s0 = 0, s1 = w[0].Value, b = w[1].Value - w[0].Value;
        for (var i = 1; i < w.Length; i++)
        {
            var x = sf * w[i].Value;
            if (i > 1)
            {
                b = tf * (s1 - s0) + (1 - tf) * b;
            }
            var y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        value = s1;
        return true;
    }

    private static bool Changes(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        var changes = 0;
        var prev = w[0].Value;
        for (var i = 1; i < w.Length; i++)
        {
            var cur = w[i].Value;
            if (cur != prev && !(double.IsNaN(cur) && double.IsNaN(prev)))
            {
                changes++;
            }
            prev = cur;
        }
        value = changes;
        return true;
    }

    private static bool Resets(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        var resets = 0;
        var prev = w[0].Value;
        for (var i = 1; i < w.Length; i++)
        {
            var cur = w[i].Value;
            if (cur < prev)
            {
                resets++;
            }
            prev = cur;
        }
        value = resets;
        return true;
    }

    /// <summary>An incremental, Kahan-compensated mean that keeps an infinite mean instead of turning it into NaN.</summary>
    private static bool AvgOverTime(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        double mean = 0, count = 0, c = 0;
        foreach (var s in w)
        {
            count++;
            if (double.IsInfinity(mean))
            {
                if (double.IsInfinity(s.Value) && mean > 0 == s.Value > 0)
                {
                    continue;
                }
                if (!double.IsInfinity(s.Value) && !double.IsNaN(s.Value))
                {
                    continue;
                }
            }
            KahanAdd(s.Value / count - mean / count, ref mean, ref c);
        }
        value = double.IsInfinity(mean) ? mean : mean + c;
        return true;
    }

    private static bool SumOverTime(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        double sum = 0, c = 0;
        foreach (var s in w)
        {
            KahanAdd(s.Value, ref sum, ref c);
        }
        value = double.IsInfinity(sum) ? sum : sum + c;
        return true;
    }

    private static bool MinOverTime(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        var min = w[0].Value;
        foreach (var s in w)
        {
            if (s.Value < min || double.IsNaN(min))
            {
                min = s.Value;
            }
        }
        value = min;
        return true;
    }

    private static bool MaxOverTime(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        var max = w[0].Value;
        foreach (var s in w)
        {
            if (s.Value > max || double.IsNaN(max))
            {
                max = s.Value;
            }
        }
        value = max;
        return true;
    }

    /// <summary>Welford's running variance with Kahan-compensated sums (Prometheus 2.42 <c>funcStdvarOverTime</c>).</summary>
    private static double Variance(ReadOnlySpan<Sample> w)
    {
        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
        foreach (var s in w)
        {
            count++;
            var delta = s.Value - (mean + cMean);
            KahanAdd(delta / count, ref mean, ref cMean);
            KahanAdd(delta * (s.Value - (mean + cMean)), ref aux, ref cAux);
        }
        return (aux + cAux) / count;
    }

    private static bool QuantileOverTime(ReadOnlySpan<Sample> w, in WindowInfo info, out double value)
    {
        var values = new double[w.Length];
        for (var i = 0; i < w.Length; i++)
        {
            values[i] = w[i].Value;
        }
        value = Quantile(info.Arg, values);
        return true;
    }

    /// <summary>
    /// The φ-quantile of <paramref name="values"/>, interpolating between the two nearest ranks;
    /// -Inf for φ &lt; 0 and +Inf for φ &gt; 1 (Prometheus <c>quantile</c>). NaNs sort first. Sorts in place.
    /// </summary>
    internal static double Quantile(double q, double[] values)
    {
        if (values.Length == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        Array.Sort(values, static (a, b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : -1) : double.IsNaN(b) ? 1 : a.CompareTo(b));
        var n = (double)values.Length;
        var rank = q * (n - 1);
        var lower = Math.Max(0, Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return values[(int)lower] * (1 - weight) + values[(int)upper] * weight;
    }
}
