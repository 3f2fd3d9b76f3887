using Vigil.Features.Alerting.Routing;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Dispatch;

/// <summary>Why an alert is not notified now; empty when it is active.</summary>
public sealed record MuteState(
    IReadOnlyList<string> SilencedBy,
    IReadOnlyList<string> InhibitedBy,
    IReadOnlyList<string> Maintenance,
    string? SuppressedBy)
{
    public static readonly MuteState None = new([], [], [], null);

    public bool IsMuted => SilencedBy.Count > 0 || InhibitedBy.Count > 0 || Maintenance.Count > 0 || SuppressedBy is not null;
}

/// <summary>An alert as the muting rules see it.</summary>
public sealed record AlertView(string Fingerprint, Labels Labels, bool Firing);

/// <summary>An active silence: its id and parsed matchers.</summary>
public sealed record ActiveSilence(string Id, IReadOnlyList<Matcher> Matchers);

/// <summary>A compiled inhibition rule.</summary>
public sealed record InhibitRule(IReadOnlyList<Matcher> Source, IReadOnlyList<Matcher> Target, IReadOnlyList<string> Equal)
{
    public static InhibitRule From(InhibitRuleSettings s) =>
        new([.. s.SourceMatchers.Select(Matcher.Parse)], [.. s.TargetMatchers.Select(Matcher.Parse)], s.Equal);
}

/// <summary>A maintenance window in force now: its name, and what it covers.</summary>
public sealed record ActiveMaintenance(string Name, string Service, string? Environment);

/// <summary>
/// Decides, for every alert at one moment, whether it is silenced, inhibited, in a maintenance
/// window or suppressed by a dependency's alert. Pure: everything it needs is given.
/// </summary>
public sealed class AlertMuting(
    IReadOnlyList<AlertView> alerts,
    IReadOnlyList<ActiveSilence> silences,
    IReadOnlyList<InhibitRule> inhibitRules,
    IReadOnlyList<ActiveMaintenance> maintenance,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? dependencies = null)
{
    private readonly List<AlertView> firing = [.. alerts.Where(a => a.Firing)];
    private readonly Dictionary<string, HashSet<string>>? below = Closure(dependencies);

    public MuteState For(AlertView alert)
    {
        var silenced = silences.Where(s => s.Matchers.MatchAll(alert.Labels)).Select(s => s.Id).ToList();
        var inhibited = InhibitedBy(alert);
        var service = alert.Labels.Get("service");
        var environment = alert.Labels.Get("environment");
        List<string> windows = service.Length == 0 ? [] : [.. maintenance
            .Where(m => m.Service == service && (m.Environment is null || m.Environment == environment))
            .Select(m => m.Name).Distinct()];
        var state = new MuteState(silenced, inhibited, windows, SuppressedBy(alert));
        return state.IsMuted ? state : MuteState.None;
    }

    /// <summary>
    /// Alertmanager <c>inhibit/inhibit.go</c> <c>Mutes</c>: a target matching a rule's target
    /// matchers is muted by a firing source alert matching its source matchers whose <c>equal</c>
    /// labels have the same values. When the target also matches the source matchers, sources that
    /// also match the target matchers do not count (<c>excludeTwoSidedMatch</c>), so an alert never
    /// inhibits itself.
    /// </summary>
    private List<string> InhibitedBy(AlertView target)
    {
        var by = new List<string>();
        foreach (var rule in inhibitRules)
        {
            if (!rule.Target.MatchAll(target.Labels))
            {
                continue;
            }
            var twoSided = rule.Source.MatchAll(target.Labels);
            foreach (var source in firing)
            {
                if (source.Fingerprint == target.Fingerprint || !rule.Source.MatchAll(source.Labels) ||
                    (twoSided && rule.Target.MatchAll(source.Labels)) ||
                    rule.Equal.Any(name => source.Labels.Get(name) != target.Labels.Get(name)))
                {
                    continue;
                }
                by.Add(source.Fingerprint);
            }
        }
        return [.. by.Distinct()];
    }

    /// <summary>
    /// Dependency-aware suppression: an alert of service S is suppressed while a service S needs
    /// (in the catalog, directly or through others) has a firing alert — unless that service also
    /// needs S (a cycle suppresses nothing). It names the root cause: of those alerts, one whose own
    /// service has no such firing dependency (the lowest fingerprint, for a stable choice).
    /// </summary>
    private string? SuppressedBy(AlertView alert)
    {
        var service = alert.Labels.Get("service");
        if (below is null || service.Length == 0)
        {
            return null;
        }
        var causes = firing.Where(a => a.Fingerprint != alert.Fingerprint && IsBelow(a.Labels.Get("service"), service)).ToList();
        return causes
            .Where(c => !causes.Any(d => IsBelow(d.Labels.Get("service"), c.Labels.Get("service"))))
            .Select(c => c.Fingerprint).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>True when <paramref name="service"/> needs <paramref name="dependency"/> (transitively) and not the other way round.</summary>
    private bool IsBelow(string dependency, string service) =>
        dependency.Length > 0 && below!.TryGetValue(service, out var needs) && needs.Contains(dependency) &&
        !(below.TryGetValue(dependency, out var back) && back.Contains(service));

    private static Dictionary<string, HashSet<string>>? Closure(IReadOnlyDictionary<string, IReadOnlyList<string>>? direct)
    {
        if (direct is null)
        {
            return null;
        }
        var closure = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var service in direct.Keys)
        {
            var reached = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>(direct[service]);
            while (queue.TryDequeue(out var next))
            {
                if (reached.Add(next) && direct.TryGetValue(next, out var further))
                {
                    foreach (var f in further)
                    {
                        queue.Enqueue(f);
                    }
                }
            }
            closure[service] = reached;
        }
        return closure;
    }
}
