namespace Vigil.Metrics.Storage.Tsdb;

public sealed partial class TsdbStore
{
    /// <summary>Merges blocks as <see cref="CompactionRules.BlocksToMerge"/> decides, until nothing is left to merge.</summary>
    private void MergeBlocks(CancellationToken cancellationToken)
    {
        var blockDuration = (long)options.BlockDuration.TotalMilliseconds;
        var retention = (long)options.RetentionTime.TotalMilliseconds;
        while (!cancellationToken.IsCancellationRequested)
        {
            List<Block> parents;
            lock (gate)
            {
                var plan = CompactionRules.BlocksToMerge([.. blocks.Select(b => b.Extent)], blockDuration, retention, head.MinTime());
                var ids = plan.Select(p => p.Id).ToHashSet();
                parents = blocks.FindAll(b => ids.Contains(b.Id) && b.TryAcquire());
            }
            if (parents.Count < 2)
            {
                parents.ForEach(b => b.Release());
                return;
            }
            Block merged;
            try
            {
                var id = Guid.CreateVersion7(options.TimeProvider.GetUtcNow());
                var path = BlockFormat.Write(blocksDir, id, parents.Min(b => b.MinTime), parents.Max(b => b.MaxTime), MergeSeries(parents));
                merged = Block.Open(path);
                merged.DamageLog = blockDamage;
            }
            finally
            {
                parents.ForEach(b => b.Release());
            }
            lock (gate)
            {
                blocks.RemoveAll(parents.Contains);
                blocks.Add(merged);
                blocks.Sort((a, b) => a.MinTime.CompareTo(b.MinTime));
                compactions++;
            }
            // A crash before this point leaves parents and child overlapping; the next run merges them again.
            parents.ForEach(b => b.Retire());
        }
    }

    /// <summary>
    /// Walks the blocks' series lists (each sorted by labels) in step. A series found in one block
    /// keeps its chunks as they are; one found in several is decoded, deduplicated by timestamp
    /// and re-encoded. One series at a time is in memory.
    /// </summary>
    private static IEnumerable<BlockSeries> MergeSeries(List<Block> parents)
    {
        var cursors = parents.Select(b => b.AllSeries().GetEnumerator()).ToList();
        var queue = new PriorityQueue<int, Labels>(LabelOrder);
        for (var i = 0; i < cursors.Count; i++)
        {
            if (cursors[i].MoveNext())
            {
                queue.Enqueue(i, cursors[i].Current.Labels);
            }
        }
        try
        {
            while (queue.TryDequeue(out var first, out var labels))
            {
                var same = new List<int> { first };
                while (queue.TryPeek(out var next, out var nextLabels) && nextLabels.Equals(labels))
                {
                    queue.Dequeue();
                    same.Add(next);
                }
                same.Sort(); // parents are in time order, so later blocks win ties when merging
                yield return same.Count == 1
                    ? cursors[first].Current
                    : new BlockSeries(labels, Reencode(same.Select(i => cursors[i].Current.Chunks), []));
                foreach (var i in same)
                {
                    if (cursors[i].MoveNext())
                    {
                        queue.Enqueue(i, cursors[i].Current.Labels);
                    }
                }
            }
        }
        finally
        {
            cursors.ForEach(c => c.Dispose());
        }
    }
}
