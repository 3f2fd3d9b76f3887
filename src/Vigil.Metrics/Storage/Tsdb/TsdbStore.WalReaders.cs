namespace Vigil.Metrics.Storage.Tsdb;

public sealed partial class TsdbStore
{
    private readonly List<Func<int?>> walRetainers = [];

    /// <summary>The WAL directory (<c>DIR/wal</c>): its segments are what remote-write queues read.</summary>
    internal string WalDirectory => walDir;

    /// <summary>The first segment this process wrote to: a queue with no saved position starts there.</summary>
    internal int FirstSegmentOfProcess { get; private init; }

    /// <summary>Completes at the next WAL write or rotation.</summary>
    internal Task WalChanged() => wal.Changed();

    /// <summary>
    /// Keeps WAL segments from deletion: a checkpoint deletes only segments below the lowest
    /// index any registered function returns (null: it needs none). Remote-write queues register
    /// their read position here, so what they have not sent survives truncation and restarts.
    /// </summary>
    public void RetainWalSegments(Func<int?> lowestNeededSegment)
    {
        lock (walRetainers)
        {
            walRetainers.Add(lowestNeededSegment);
        }
    }

    /// <summary>Removes a function added by <see cref="RetainWalSegments"/>.</summary>
    public void ReleaseWalSegments(Func<int?> lowestNeededSegment)
    {
        lock (walRetainers)
        {
            walRetainers.Remove(lowestNeededSegment);
        }
    }

    private int? LowestRetainedSegment()
    {
        lock (walRetainers)
        {
            int? lowest = null;
            foreach (var f in walRetainers)
            {
                if (f() is { } i && (lowest is null || i < lowest))
                {
                    lowest = i;
                }
            }
            return lowest;
        }
    }
}
