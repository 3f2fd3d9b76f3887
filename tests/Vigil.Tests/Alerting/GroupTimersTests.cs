using Vigil.Features.Alerting.Dispatch;

namespace Vigil.Tests.Alerting;

/// <summary>The dispatcher's groups in the order of their timers: what is due, once each, and when the next is.</summary>
public sealed class GroupTimersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 6, 0, 0, TimeSpan.Zero);

    private static (Dictionary<(string, string), AlertGroup> Groups, GroupTimers Timers) Groups(params (string Name, int Seconds, long Id)[] groups)
    {
        var all = groups.ToDictionary(g => ("route", g.Name), g => new AlertGroup { Id = g.Id, RouteId = "route", GroupKey = g.Name, Receiver = "ops", GroupLabelsJson = g.Name, NextFlushAt = T0.AddSeconds(g.Seconds) });
        return (all, GroupTimers.Of(all));
    }

    private static List<string> Names(List<KeyValuePair<(string, string), AlertGroup>> due) => [.. due.Select(d => d.Key.Item2)];

    [Fact]
    public void The_due_groups_come_earliest_timer_first_then_by_id_and_the_next_timer_is_the_earliest_left()
    {
        var (groups, timers) = Groups(("c", 10, 3), ("a", 5, 2), ("b", 5, 1), ("later", 60, 4));

        Assert.Equal(["b", "a", "c"], Names(timers.TakeDue(groups, T0.AddSeconds(10))));
        // Taken: not due again until set again.
        Assert.Empty(timers.TakeDue(groups, T0.AddSeconds(10)));
        Assert.Equal(T0.AddSeconds(60), timers.Next(groups));
    }

    [Fact]
    public void A_moved_timer_counts_where_it_is_now_and_only_once()
    {
        var (groups, timers) = Groups(("a", 5, 1), ("b", 300, 2));
        // b is triggered at once (a group_wait already over), a flushes and waits group_interval.
        groups[("route", "b")].NextFlushAt = T0;
        timers.Set(("route", "b"), groups[("route", "b")]);

        var due = timers.TakeDue(groups, T0.AddSeconds(5));
        Assert.Equal(["b", "a"], Names(due));
        foreach (var (key, group) in due)
        {
            group.NextFlushAt = T0.AddSeconds(305);
            timers.Set(key, group);
        }

        // b's old note (300 s) no longer matches its timer: nothing is due then, and next is 305 s.
        Assert.Empty(timers.TakeDue(groups, T0.AddSeconds(300)));
        Assert.Equal(T0.AddSeconds(305), timers.Next(groups));
        Assert.Equal(["a", "b"], Names(timers.TakeDue(groups, T0.AddSeconds(305))));
    }

    [Fact]
    public void An_ended_group_is_neither_due_nor_next_and_without_groups_there_is_no_next()
    {
        var (groups, timers) = Groups(("a", 5, 1), ("b", 10, 2));
        groups.Remove(("route", "a"));

        Assert.Equal(T0.AddSeconds(10), timers.Next(groups));
        Assert.Equal(["b"], Names(timers.TakeDue(groups, T0.AddSeconds(10))));
        groups.Clear();
        Assert.Null(timers.Next(groups));
    }
}
