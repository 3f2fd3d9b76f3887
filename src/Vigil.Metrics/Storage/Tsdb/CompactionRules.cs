namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>A time range [<paramref name="Start"/>, <paramref name="End"/>) in milliseconds.</summary>
internal readonly record struct TimeRange(long Start, long End)
{
    public bool Overlaps(long minT, long maxT) => minT < End && maxT >= Start;
}

/// <summary>When head data becomes a block, and which aligned range a timestamp belongs to.</summary>
internal static class CompactionRules
{
    /// <summary>The block-aligned range holding <paramref name="t"/> (floor division, so negative timestamps work).</summary>
    public static TimeRange RangeOf(long t, long blockDurationMs)
    {
        var q = t / blockDurationMs;
        if (t % blockDurationMs < 0)
        {
            q--;
        }
        var start = unchecked(q * blockDurationMs);
        return new TimeRange(start, unchecked(start + blockDurationMs));
    }

    /// <summary>
    /// The next range to compact, or null. Like Prometheus, the head keeps about 1.5 block
    /// durations: once it spans more than that, its oldest aligned range is written out.
    /// </summary>
    public static TimeRange? NextRange(long headMinTime, long headMaxTime, long blockDurationMs)
    {
        if (headMinTime > headMaxTime || headMaxTime - headMinTime <= blockDurationMs / 2 * 3)
        {
            return null;
        }
        return RangeOf(headMinTime, blockDurationMs);
    }
}
