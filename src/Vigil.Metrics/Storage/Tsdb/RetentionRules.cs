namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>Why a block is deleted.</summary>
internal enum RetentionReason
{
    /// <summary>All its samples are older than the retention time.</summary>
    Time,
    /// <summary>The store is over its size limit and this is among the oldest blocks.</summary>
    Size,
}

/// <summary>A block as retention sees it. <paramref name="MaxTime"/> is exclusive.</summary>
internal readonly record struct BlockExtent(Guid Id, long MinTime, long MaxTime, long SizeBytes);

/// <summary>Which blocks retention deletes: see <see cref="BlocksToDelete"/>.</summary>
internal static class RetentionRules
{
    /// <summary>
    /// Blocks entirely older than <paramref name="nowMs"/> minus the retention time go first;
    /// then, when a size limit is set and blocks plus <paramref name="otherBytes"/> (the WAL)
    /// exceed it, the oldest remaining blocks go until the rest fits (Prometheus
    /// <c>--storage.tsdb.retention.size</c> counts the WAL too).
    /// </summary>
    public static IReadOnlyList<(BlockExtent Block, RetentionReason Reason)> BlocksToDelete(
        IReadOnlyList<BlockExtent> blocks, long nowMs, long retentionMs, long? maxBytes, long otherBytes)
    {
        var result = new List<(BlockExtent, RetentionReason)>();
        var kept = new List<BlockExtent>();
        foreach (var b in blocks.OrderBy(b => b.MaxTime).ThenBy(b => b.MinTime))
        {
            if (b.MaxTime <= nowMs - retentionMs)
            {
                result.Add((b, RetentionReason.Time));
            }
            else
            {
                kept.Add(b);
            }
        }
        if (maxBytes is { } limit)
        {
            var total = otherBytes + kept.Sum(b => b.SizeBytes);
            foreach (var b in kept)
            {
                if (total <= limit)
                {
                    break;
                }
                result.Add((b, RetentionReason.Size));
                total -= b.SizeBytes;
            }
        }
        return result;
    }
}
