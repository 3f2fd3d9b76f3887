using Vigil.Metrics;

namespace Vigil.Features.Alerting.Routing;

/// <summary>
/// A node of the compiled routing tree, its options resolved against its parent as Alertmanager's
/// <c>dispatch/route.go</c> <c>NewRoute</c> does (receiver, group_by, the three intervals inherited;
/// matchers sorted for the key).
/// </summary>
public sealed class RouteNode
{
    // Alertmanager config/config.go DefaultRouteConfig.
    public static readonly TimeSpan DefaultGroupWait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultGroupInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    private RouteNode(RouteNode? parent, RouteSettings settings)
    {
        Parent = parent;
        Receiver = settings.Receiver ?? parent?.Receiver ?? "";
        GroupByAll = settings.GroupBy is { } g ? g.Contains("...") : parent?.GroupByAll ?? false;
        GroupBy = settings.GroupBy is { } by ? [.. by.Where(n => n != "...").Distinct().Order(StringComparer.Ordinal)] : parent?.GroupBy ?? [];
        GroupWait = settings.GroupWait ?? parent?.GroupWait ?? DefaultGroupWait;
        GroupInterval = settings.GroupInterval ?? parent?.GroupInterval ?? DefaultGroupInterval;
        RepeatInterval = settings.RepeatInterval ?? parent?.RepeatInterval ?? DefaultRepeatInterval;
        SendResolvedAlways = settings.SendResolvedAlways ?? parent?.SendResolvedAlways ?? true;
        OpenIncident = settings.OpenIncident ?? parent?.OpenIncident ?? false;
        Continue = settings.Continue;
        // Alertmanager dispatch/route.go NewRoute takes both from the route's own config: not inherited.
        MuteTimeIntervals = [.. settings.MuteTimeIntervals];
        ActiveTimeIntervals = [.. settings.ActiveTimeIntervals];
        Matchers = Routing.Matchers.Sorted(settings.Matchers.Select(Matcher.Parse));
        Key = parent is null ? Routing.Matchers.Format(Matchers) : $"{parent.Key}/{Routing.Matchers.Format(Matchers)}";
        Routes = [.. settings.Routes.Select(child => new RouteNode(this, child))];
        // Alertmanager's Route.ID(): the key plus the index among siblings, unique in the tree.
        Id = Key;
    }

    public RouteNode? Parent { get; }
    public string Receiver { get; }
    public bool GroupByAll { get; }
    public IReadOnlyList<string> GroupBy { get; }
    public TimeSpan GroupWait { get; }
    public TimeSpan GroupInterval { get; }
    public TimeSpan RepeatInterval { get; }
    public bool SendResolvedAlways { get; }
    public bool OpenIncident { get; }
    public bool Continue { get; }
    public IReadOnlyList<string> MuteTimeIntervals { get; }
    public IReadOnlyList<string> ActiveTimeIntervals { get; }
    public IReadOnlyList<Matcher> Matchers { get; }
    public IReadOnlyList<RouteNode> Routes { get; }

    /// <summary>Alertmanager's <c>Route.Key()</c>: the parent's key, '/', this route's matchers. Part of the group key.</summary>
    public string Key { get; }

    /// <summary>Unique in the tree (the key with the sibling index of every level); how a group finds its route again.</summary>
    public string Id { get; private set; }

    /// <summary>Builds a tree from validated settings; null when there is no <c>route:</c>.</summary>
    public static RouteNode? Build(RouteSettings? root)
    {
        if (root is null)
        {
            return null;
        }
        var route = new RouteNode(null, root);
        route.AssignIds();
        return route;
    }

    private void AssignIds()
    {
        for (var i = 0; i < Routes.Count; i++)
        {
            Routes[i].Id = $"{Id}/{Routing.Matchers.Format(Routes[i].Matchers)}/{i}";
            Routes[i].AssignIds();
        }
    }

    /// <summary>
    /// Alertmanager's <c>Route.Match</c>: depth first, left to right; a matching child stops the
    /// search among its siblings unless it has <c>continue</c>; a node none of whose children match
    /// is itself the match.
    /// </summary>
    public IReadOnlyList<RouteNode> Match(Labels labels)
    {
        if (!Matchers.MatchAll(labels))
        {
            return [];
        }
        var all = new List<RouteNode>();
        foreach (var child in Routes)
        {
            var matches = child.Match(labels);
            all.AddRange(matches);
            if (matches.Count > 0 && !child.Continue)
            {
                break;
            }
        }
        if (all.Count == 0)
        {
            all.Add(this);
        }
        return all;
    }

    /// <summary>The alert's labels that this route groups by (Alertmanager <c>getGroupLabels</c>); only labels the alert has.</summary>
    public Labels GroupLabels(Labels labels) =>
        GroupByAll ? labels : Labels.FromSorted([.. labels.Where(l => GroupBy.Contains(l.Name))]);

    public IEnumerable<RouteNode> Walk() => Routes.SelectMany(r => r.Walk()).Prepend(this);
}
