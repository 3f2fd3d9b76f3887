namespace Vigil.Metrics.PromQL;

/// <summary><c>histogram_quantile</c> over classic buckets (Prometheus 2.42 <c>promql/quantile.go</c>).</summary>
internal static class HistogramQuantile
{
    /// <summary>
    /// Groups bucket series by their labels without <c>le</c> (the metric name is part of the
    /// group but dropped from the output) and computes the φ-quantile of each group.
    /// </summary>
    public static void Compute(double q, List<VecSample> input, List<VecSample> output)
    {
        var groups = new Dictionary<Labels, (Labels Output, List<(double UpperBound, double Count)> Buckets)>();
        var order = new List<Labels>();
        foreach (var s in input)
        {
            if (!Numbers.TryParseFloat(s.Labels.Get("le"), out var upper))
            {
                // No or malformed le label: the series is ignored, as Prometheus does.
                continue;
            }
            var key = s.Labels.Without("le");
            if (!groups.TryGetValue(key, out var g))
            {
                g = (MetricNameDropper.Without(key), []);
                groups[key] = g;
                order.Add(key);
            }
            g.Buckets.Add((upper, s.Value));
        }
        foreach (var key in order)
        {
            var g = groups[key];
            output.Add(new VecSample(g.Output, BucketQuantile(q, g.Buckets)));
        }
    }

    /// <summary>
    /// Interpolates linearly inside the bucket holding rank φ·count; needs a +Inf bucket; merges
    /// buckets with the same bound and forces counts to be monotonic; a quantile in the +Inf bucket
    /// is the second-highest bound; the lowest bucket starts at 0 unless its bound is not positive.
    /// </summary>
    internal static double BucketQuantile(double q, List<(double UpperBound, double Count)> buckets)
    {
        if (double.IsNaN(q))
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
        buckets.Sort(static (a, b) => a.UpperBound.CompareTo(b.UpperBound));
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }
        var merged = new List<(double UpperBound, double Count)>(buckets.Count);
        foreach (var b in buckets)
        {
            if (merged.Count > 0 && merged[^1].UpperBound == b.UpperBound)
            {
                merged[^1] = (b.UpperBound, merged[^1].Count + b.Count);
            }
            else
            {
                merged.Add(b);
            }
        }
        var max = double.NegativeInfinity;
        for (var i = 0; i < merged.Count; i++)
        {
            if (merged[i].Count > max)
            {
                max = merged[i].Count;
            }
            else if (merged[i].Count < max)
            {
                merged[i] = (merged[i].UpperBound, max);
            }
        }
        if (merged.Count < 2)
        {
            return double.NaN;
        }
        var observations = merged[^1].Count;
        if (observations == 0)
        {
            return double.NaN;
        }
        var rank = q * observations;
        var b0 = 0;
        var limit = merged.Count - 1;
        while (b0 < limit && !(merged[b0].Count >= rank))
        {
            b0++;
        }
        if (b0 == merged.Count - 1)
        {
            return merged[^2].UpperBound;
        }
        if (b0 == 0 && merged[0].UpperBound <= 0)
        {
            return merged[0].UpperBound;
        }
        var bucketStart = 0.0;
        var bucketEnd = merged[b0].UpperBound;
        var count = merged[b0].Count;
        if (b0 > 0)
        {
            bucketStart = merged[b0 - 1].UpperBound;
            count -= merged[b0 - 1].Count;
            rank -= merged[b0 - 1].Count;
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }
}
