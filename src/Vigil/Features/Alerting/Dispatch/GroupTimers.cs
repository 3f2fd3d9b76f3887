namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// The aggregation groups' flush timers (<see cref="AlertGroup.NextFlushAt"/>) in time order
/// (<see cref="DueNotes{TKey, TItem}"/>): with 1,500 groups stored, finding the due groups and the
/// next timer by looking at every group was ~3 % of the alert path's CPU, growing with the groups.
/// Alertmanager keeps a timer per group (<c>aggrGroup.run</c>); here the pass is the one timer.
/// </summary>
internal sealed class GroupTimers() : DueNotes<(string, string), AlertGroup>(group => group.NextFlushAt)
{
    public static GroupTimers Of(Dictionary<(string, string), AlertGroup> groups)
    {
        var timers = new GroupTimers();
        timers.SetAll(groups);
        return timers;
    }

    /// <summary>The due groups (<see cref="DueNotes{TKey, TItem}.TakeDue"/>), earliest timer first, then by id.</summary>
    public override List<KeyValuePair<(string, string), AlertGroup>> TakeDue(Dictionary<(string, string), AlertGroup> groups, DateTimeOffset now) =>
        [.. base.TakeDue(groups, now).OrderBy(g => g.Value.NextFlushAt).ThenBy(g => g.Value.Id)];
}
