namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// The aggregation groups' flush timers (<see cref="AlertGroup.NextFlushAt"/>) in time order, so
/// that a pass finds the groups due and the next timer without looking at every group: with 1,500
/// groups stored, those two scans were ~3 % of the alert path's CPU, growing with the groups.
/// Every change of a group's timer is noted with <see cref="Set"/>; a note the group's timer no
/// longer matches (the timer moved, or the group ended) is stale and dropped when it comes first.
/// Alertmanager keeps a timer per group (<c>aggrGroup.run</c>); here the pass is the one timer.
/// </summary>
internal sealed class GroupTimers
{
    private readonly PriorityQueue<(string, string), DateTimeOffset> queue = new();

    public static GroupTimers Of(Dictionary<(string, string), AlertGroup> groups)
    {
        var timers = new GroupTimers();
        foreach (var (key, group) in groups)
        {
            timers.Set(key, group);
        }
        return timers;
    }

    /// <summary>Notes a group's timer as it is now.</summary>
    public void Set((string, string) key, AlertGroup group) => queue.Enqueue(key, group.NextFlushAt);

    /// <summary>
    /// The groups whose timer is at or before <paramref name="now"/>, each once, earliest timer first
    /// (then by id); their notes are taken: <see cref="Set"/> them again once their timers moved.
    /// </summary>
    public List<KeyValuePair<(string, string), AlertGroup>> TakeDue(Dictionary<(string, string), AlertGroup> groups, DateTimeOffset now)
    {
        var due = new Dictionary<(string, string), AlertGroup>();
        while (queue.TryPeek(out var key, out var at) && at <= now)
        {
            queue.Dequeue();
            if (groups.TryGetValue(key, out var group) && group.NextFlushAt == at)
            {
                due.TryAdd(key, group);
            }
        }
        return [.. due.OrderBy(g => g.Value.NextFlushAt).ThenBy(g => g.Value.Id)];
    }

    /// <summary>The earliest timer of the groups, or null without groups.</summary>
    public DateTimeOffset? Next(Dictionary<(string, string), AlertGroup> groups)
    {
        while (queue.TryPeek(out var key, out var at))
        {
            if (groups.TryGetValue(key, out var group) && group.NextFlushAt == at)
            {
                return at;
            }
            queue.Dequeue();
        }
        return null;
    }
}
