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

    /// <summary>
    /// Blocks to merge into one, or none. Overlapping blocks (late or backfilled data) are merged
    /// first, as Prometheus's vertical compaction does. Otherwise, like Prometheus's leveled
    /// compaction, blocks are grouped into aligned ranges of 3, 9, 27... block durations, capped at
    /// a tenth of the retention time and 31 days; the oldest range that holds two or more blocks
    /// and lies entirely before the head's oldest sample is merged.
    /// </summary>
    public static IReadOnlyList<BlockExtent> BlocksToMerge(IReadOnlyList<BlockExtent> blocks, long blockDurationMs, long retentionMs, long headMinTime)
    {
        var sorted = blocks.OrderBy(b => b.MinTime).ThenBy(b => b.MaxTime).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            var end = sorted[i].MaxTime;
            var j = i + 1;
            while (j < sorted.Count && sorted[j].MinTime < end)
            {
                end = Math.Max(end, sorted[j].MaxTime);
                j++;
            }
            if (j - i > 1)
            {
                return sorted.GetRange(i, j - i);
            }
            i = j - 1;
        }
        var maxRange = Math.Min(retentionMs / 10, 31L * 24 * 3600 * 1000);
        for (var range = blockDurationMs * 3; range <= maxRange && range > 0; range *= 3)
        {
            var groups = sorted
                .GroupBy(b => RangeOf(b.MinTime, range))
                .Where(g => g.Key.End <= headMinTime && g.Count() > 1 && g.All(b => b.MaxTime <= g.Key.End))
                .OrderBy(g => g.Key.Start);
            if (groups.FirstOrDefault() is { } group)
            {
                return [.. group];
            }
        }
        return [];
    }
}
