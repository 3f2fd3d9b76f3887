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
    public static InhibitRule From(InhibitRuleSettings s) => new(
        [.. s.SourceMatch.Select(m => Matcher.Create(m.Key, MatcherKind.Equal, m.Value)), .. s.SourceMatchRe.Select(m => Matcher.Create(m.Key, MatcherKind.Regex, m.Value)), .. s.SourceMatchers.Select(Matcher.Parse)],
        [.. s.TargetMatch.Select(m => Matcher.Create(m.Key, MatcherKind.Equal, m.Value)), .. s.TargetMatchRe.Select(m => Matcher.Create(m.Key, MatcherKind.Regex, m.Value)), .. s.TargetMatchers.Select(Matcher.Parse)],
        s.Equal);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Routing.RoutingSettings, CompiledRules> Compiled = [];

    /// <summary>
    /// The settings' <c>inhibit_rules</c> and dependency rules, compiled once per loaded
    /// configuration (a reload brings new settings) rather than on every dispatcher pass.
    /// </summary>
    public static CompiledRules Of(Routing.RoutingSettings settings) =>
        Compiled.GetValue(settings, s => new CompiledRules([.. s.InhibitRules.Select(From)], [.. s.EffectiveDependencyRules.Select(From)]));
}

/// <summary>A configuration's inhibition rules and dependency rules, compiled.</summary>
public sealed record CompiledRules(IReadOnlyList<InhibitRule> Inhibit, IReadOnlyList<InhibitRule> Dependency);

/// <summary>A maintenance window in force now: its name, and what it covers.</summary>
public sealed record ActiveMaintenance(string Name, string Service, string? Environment);

/// <summary>
/// Dependency-aware suppression: which services each service needs (the catalog's dependencies of
/// kind service), and the rules that say which alerts of a needed service are an outage that
/// explains which alerts of the services that need it (<c>routing.dependency_rules</c>).
/// </summary>
public sealed record DependencySuppression(IReadOnlyDictionary<string, IReadOnlyList<string>> Needs, IReadOnlyList<InhibitRule> Rules);

/// <summary>
/// Decides, for every alert at one moment, whether it is silenced, inhibited, in a maintenance
/// window or suppressed by a dependency's alert. Pure: everything it needs is given.
/// </summary>
public sealed class AlertMuting(
    IReadOnlyList<AlertView> alerts,
    IReadOnlyList<ActiveSilence> silences,
    IReadOnlyList<InhibitRule> inhibitRules,
    IReadOnlyList<ActiveMaintenance> maintenance,
    DependencySuppression? dependencies = null)
{
    private readonly List<AlertView> firing = [.. alerts.Where(a => a.Firing)];
    private readonly Dictionary<string, HashSet<string>>? below = Closure(dependencies?.Needs);
    private readonly Dictionary<string, bool> mutedOtherwise = new(StringComparer.Ordinal);

    public MuteState For(AlertView alert)
    {
        var silenced = SilencedBy(alert);
        var inhibited = InhibitedBy(alert);
        var windows = MaintenanceOf(alert);
        var state = new MuteState(silenced, inhibited, windows, SuppressedBy(alert));
        return state.IsMuted ? state : MuteState.None;
    }

    private List<string> SilencedBy(AlertView alert) => [.. silences.Where(s => s.Matchers.MatchAll(alert.Labels)).Select(s => s.Id)];

    private List<string> MaintenanceOf(AlertView alert)
    {
        var service = alert.Labels.Get("service");
        // A maintenance window's own notices (MaintenanceScheduled, MaintenanceStarted) are about the window, not muted by it.
        if (service.Length == 0 || alert.Labels.Get("category") == Maintenance.AnnounceMaintenance.Category)
        {
            return [];
        }
        var environment = alert.Labels.Get("environment");
        return [.. maintenance
            .Where(m => m.Service == service && (m.Environment is null || m.Environment == environment))
            .Select(m => m.Name).Distinct()];
    }

    /// <summary>
    /// Alertmanager <c>inhibit/inhibit.go</c> <c>Mutes</c>: a target matching a rule's target
    /// matchers is muted by a firing source alert matching its source matchers whose <c>equal</c>
    /// labels have the same values (a label missing on both sides is equal). When the target also
    /// matches the source matchers, sources that also match the target matchers do not count
    /// (<c>excludeTwoSidedMatch</c>), so an alert never inhibits itself. The source only has to be
    /// unresolved (<c>InhibitRule.inhibits</c> skips nothing but <c>a.Resolved()</c>): in
    /// Alertmanager a silenced source still inhibits, and so it does here.
    /// </summary>
    private List<string> InhibitedBy(AlertView target) => Matching(inhibitRules, target, excludeTwoSided: true, _ => true);

    private List<string> Matching(IReadOnlyList<InhibitRule> rules, AlertView target, bool excludeTwoSided, Func<AlertView, bool> related)
    {
        var by = new List<string>();
        foreach (var rule in rules)
        {
            if (!rule.Target.MatchAll(target.Labels))
            {
                continue;
            }
            var twoSided = excludeTwoSided && rule.Source.MatchAll(target.Labels);
            foreach (var source in firing)
            {
                if (source.Fingerprint == target.Fingerprint || !rule.Source.MatchAll(source.Labels) ||
                    (twoSided && rule.Target.MatchAll(source.Labels)) ||
                    rule.Equal.Any(name => source.Labels.Get(name) != target.Labels.Get(name)) ||
                    !related(source))
                {
                    continue;
                }
                by.Add(source.Fingerprint);
            }
        }
        return [.. by.Distinct()];
    }

    /// <summary>
    /// Dependency-aware suppression, an inhibition whose "equal" is the catalog: an alert of
    /// service S is suppressed by a firing alert of a service S needs (directly or through others;
    /// not when that service also needs S — a cycle suppresses nothing) when a dependency rule's
    /// source matchers match the dependency's alert, its target matchers match S's alert and its
    /// <c>equal</c> labels agree. The direction of the dependency keeps two alerts from muting each
    /// other, so an alert matching both sides (MonitorDown of each) is not excluded. Unlike Alertmanager's inhibition, a source that is itself muted
    /// (silenced, inhibited or in maintenance) suppresses nothing: the operator knows about it, so
    /// it explains nothing they would otherwise hear. It names the root cause: of the sources, one
    /// whose own service has no such source below it (the lowest fingerprint, for a stable choice).
    /// </summary>
    private string? SuppressedBy(AlertView alert)
    {
        var service = alert.Labels.Get("service");
        if (below is null || dependencies is null || service.Length == 0)
        {
            return null;
        }
        var causeIds = Matching(dependencies.Rules, alert, excludeTwoSided: false, source => IsBelow(source.Labels.Get("service"), service) && !IsMutedOtherwise(source)).ToHashSet(StringComparer.Ordinal);
        var causes = firing.Where(a => causeIds.Contains(a.Fingerprint)).ToList();
        return causes
            .Where(c => !causes.Any(d => IsBelow(d.Labels.Get("service"), c.Labels.Get("service"))))
            .Select(c => c.Fingerprint).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    private bool IsMutedOtherwise(AlertView source)
    {
        if (!mutedOtherwise.TryGetValue(source.Fingerprint, out var muted))
        {
            mutedOtherwise[source.Fingerprint] = muted = SilencedBy(source).Count > 0 || MaintenanceOf(source).Count > 0 || InhibitedBy(source).Count > 0;
        }
        return muted;
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
