using Vigil.Features.Alerting.Routing;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Dispatch;

/// <summary>A route an alert takes, its group labels there and its group's key (route id, group labels as JSON).</summary>
internal sealed record RoutedTo(RouteNode Route, Labels GroupLabels, (string, string) Key);

/// <summary>An aggregation group's alerts, by fingerprint, as routed: Alertmanager's <c>aggrGroup</c> without its timer.</summary>
internal sealed record GroupMembers(RouteNode Route, Labels GroupLabels, Dictionary<string, StoredAlert> Alerts);

/// <summary>
/// Which aggregation groups each stored alert belongs to under one routing tree. Built from every
/// alert when there is nothing to go on, then kept up to date alert by alert while the dispatcher
/// remembers its state: a pass then costs what arrived and what was removed, not every alert
/// stored (with 2,000 firing alerts, rebuilding it took most of a pass's CPU and allocated ~400 KB
/// per incoming alert). Alertmanager's dispatcher does the same: <c>processAlert</c> inserts one
/// alert into the groups of the routes it matches.
/// </summary>
internal sealed class GroupMembership(RouteNode? tree)
{
    public RouteNode? Tree { get; } = tree;

    public Dictionary<(string, string), GroupMembers> Members { get; } = [];

    /// <summary>The routes (and so the groups) of each alert in the index, by fingerprint: the lists <c>routesOf</c> gave (<see cref="Put"/>).</summary>
    public Dictionary<string, List<RoutedTo>> GroupsOf { get; } = new(StringComparer.Ordinal);

    /// <summary>Groups whose last alert was removed since <see cref="TakeEmptied"/> was last called.</summary>
    private readonly HashSet<(string, string)> emptied = [];

    /// <summary>
    /// Puts an alert into the groups of its routes (<paramref name="routesOf"/> gives them, once per
    /// alert, as an alert's labels never change), or replaces the stored object where it already is.
    /// </summary>
    /// <returns>The alert's routes, whose keys are its groups'.</returns>
    public List<RoutedTo> Put(StoredAlert alert, Func<StoredAlert, List<RoutedTo>> routesOf)
    {
        if (GroupsOf.TryGetValue(alert.Fingerprint, out var routes))
        {
            foreach (var routed in routes)
            {
                Members[routed.Key].Alerts[alert.Fingerprint] = alert;
            }
            return routes;
        }
        routes = routesOf(alert);
        foreach (var (route, groupLabels, key) in routes)
        {
            if (!Members.TryGetValue(key, out var members))
            {
                Members[key] = members = new GroupMembers(route, groupLabels, new Dictionary<string, StoredAlert>(StringComparer.Ordinal));
            }
            members.Alerts[alert.Fingerprint] = alert;
            emptied.Remove(key);
        }
        GroupsOf[alert.Fingerprint] = routes;
        return routes;
    }

    /// <summary>Takes an alert out of its groups; a group left without alerts is noted (<see cref="TakeEmptied"/>).</summary>
    public void Remove(string fingerprint)
    {
        if (!GroupsOf.Remove(fingerprint, out var routes))
        {
            return;
        }
        foreach (var key in routes.Select(r => r.Key))
        {
            var members = Members[key];
            members.Alerts.Remove(fingerprint);
            if (members.Alerts.Count == 0)
            {
                Members.Remove(key);
                emptied.Add(key);
            }
        }
    }

    /// <summary>The groups that lost their last alert since the last call.</summary>
    public List<(string, string)> TakeEmptied()
    {
        var keys = emptied.ToList();
        emptied.Clear();
        return keys;
    }
}
