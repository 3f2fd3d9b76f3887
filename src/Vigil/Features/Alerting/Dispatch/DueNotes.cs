namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// Items of a dictionary in the order of a time each carries (a group's next flush, an alert's end,
/// a log entry's expiry), so that a pass finds those due without looking at every item: with
/// thousands of alerts stored, such scans made a pass's work grow with everything stored instead of
/// with what changed. Every change of an item's time is noted with <see cref="Set"/>; a note the
/// item no longer matches (its time moved, or it is gone) is stale and dropped when it comes first.
/// </summary>
internal class DueNotes<TKey, TItem>(Func<TItem, DateTimeOffset> timeOf) where TKey : notnull
{
    private readonly PriorityQueue<TKey, DateTimeOffset> queue = new();

    /// <summary>Notes for every item of <paramref name="items"/>, as each is now.</summary>
    public static DueNotes<TKey, TItem> Of(Dictionary<TKey, TItem> items, Func<TItem, DateTimeOffset> timeOf)
    {
        var notes = new DueNotes<TKey, TItem>(timeOf);
        notes.SetAll(items);
        return notes;
    }

    /// <summary>Notes every item of <paramref name="items"/>.</summary>
    public void SetAll(Dictionary<TKey, TItem> items)
    {
        foreach (var (key, item) in items)
        {
            Set(key, item);
        }
    }

    /// <summary>Notes an item's time as it is now.</summary>
    public void Set(TKey key, TItem item) => queue.Enqueue(key, timeOf(item));

    /// <summary>
    /// The items whose time is at or before <paramref name="now"/>, each once, earliest first; their
    /// notes are taken: <see cref="Set"/> them again once their times moved, or to have them again.
    /// </summary>
    public virtual List<KeyValuePair<TKey, TItem>> TakeDue(Dictionary<TKey, TItem> items, DateTimeOffset now)
    {
        var due = new List<KeyValuePair<TKey, TItem>>();
        var seen = new HashSet<TKey>();
        while (queue.TryPeek(out var key, out var at) && at <= now)
        {
            queue.Dequeue();
            if (items.TryGetValue(key, out var item) && timeOf(item) == at && seen.Add(key))
            {
                due.Add(new(key, item));
            }
        }
        return due;
    }

    /// <summary>The earliest time of the items, or null without items.</summary>
    public DateTimeOffset? Next(Dictionary<TKey, TItem> items)
    {
        while (queue.TryPeek(out var key, out var at))
        {
            if (items.TryGetValue(key, out var item) && timeOf(item) == at)
            {
                return at;
            }
            queue.Dequeue();
        }
        return null;
    }
}
