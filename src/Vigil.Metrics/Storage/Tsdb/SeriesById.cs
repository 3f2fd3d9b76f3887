namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// The head's series by id, in pages of 1,024 slots. Ids are handed out in order
/// (<see cref="Head.NextId"/>), so pages fill up one after the other, and a page whose series the
/// head's garbage collection has all removed is let go. A series costs 8 bytes here, where a
/// <c>Dictionary&lt;int, MemSeries&gt;</c> entry with its bucket cost about 40 and rehashed every
/// entry each time the head doubled (Prometheus's head keys its series by a reference in a
/// striped map; the ids here are dense, so an array does). Ids below zero, which only a log
/// written by something else could hold, go to a dictionary beside the pages.
/// Not thread-safe: the store's lock guards it like the rest of the head.
/// </summary>
internal sealed class SeriesById
{
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;

    private MemSeries?[]?[] pages = new MemSeries?[]?[64];
    private int[] liveInPage = new int[64];
    private Dictionary<int, MemSeries>? negative;

    /// <summary>How many series are held.</summary>
    public int Count { get; private set; }

    /// <summary>Every series, in id order (those with a negative id first).</summary>
    public IEnumerable<MemSeries> Values
    {
        get
        {
            if (negative is not null)
            {
                foreach (var s in negative.OrderBy(e => e.Key))
                {
                    yield return s.Value;
                }
            }
            foreach (var page in pages)
            {
                if (page is null)
                {
                    continue;
                }
                foreach (var s in page)
                {
                    if (s is not null)
                    {
                        yield return s;
                    }
                }
            }
        }
    }

    /// <summary>The series with <paramref name="id"/>, or null.</summary>
    public MemSeries? Get(int id)
    {
        if (id < 0)
        {
            return negative?.GetValueOrDefault(id);
        }
        var p = id >> PageBits;
        return p < pages.Length && pages[p] is { } page ? page[id & (PageSize - 1)] : null;
    }

    /// <summary>Puts <paramref name="series"/> at <paramref name="id"/>, replacing what was there.</summary>
    public void Set(int id, MemSeries series)
    {
        if (id < 0)
        {
            negative ??= [];
            if (negative.TryAdd(id, series))
            {
                Count++;
            }
            else
            {
                negative[id] = series;
            }
            return;
        }
        var p = id >> PageBits;
        if (p >= pages.Length)
        {
            var length = (int)Math.Min(Math.Max((long)pages.Length * 2, p + 1), (int.MaxValue >> PageBits) + 1);
            Array.Resize(ref pages, length);
            Array.Resize(ref liveInPage, length);
        }
        var page = pages[p] ??= new MemSeries?[PageSize];
        ref var slot = ref page[id & (PageSize - 1)];
        if (slot is null)
        {
            liveInPage[p]++;
            Count++;
        }
        slot = series;
    }

    /// <summary>Removes the series at <paramref name="id"/>, if any.</summary>
    public void Remove(int id)
    {
        if (id < 0)
        {
            if (negative is not null && negative.Remove(id))
            {
                Count--;
            }
            return;
        }
        var p = id >> PageBits;
        if (p >= pages.Length || pages[p] is not { } page || page[id & (PageSize - 1)] is null)
        {
            return;
        }
        page[id & (PageSize - 1)] = null;
        Count--;
        if (--liveInPage[p] == 0)
        {
            pages[p] = null;
        }
    }
}
