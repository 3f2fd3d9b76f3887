using Vigil.Configuration;

namespace Vigil.Features.Alerting.Routing;

/// <summary>Checks <c>routing:</c>: the tree's receivers name channels, matchers parse, intervals are positive (Alertmanager <c>config/config.go</c> rules).</summary>
public static class RoutingRules
{
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        var routing = config.Routing;
        var channels = config.Channels.Where(c => c.Name is not null).Select(c => c.Name!).ToHashSet(StringComparer.Ordinal);
        if (routing.Route is { } root)
        {
            // Alertmanager: "root route must specify a default receiver" and "root route must not have any matchers".
            if (string.IsNullOrEmpty(root.Receiver))
            {
                yield return new FieldError("routing.route.receiver", "the root route must name a receiver (a channel)");
            }
            if (root.Matchers.Count > 0)
            {
                yield return new FieldError("routing.route.matchers", "the root route must not have matchers: it receives every alert");
            }
            if (root.Continue)
            {
                yield return new FieldError("routing.route.continue", "the root route cannot have continue set");
            }
            if (root.MuteTimeIntervals.Count > 0)
            {
                yield return new FieldError("routing.route.mute_time_intervals", "the root route must not have any mute time intervals");
            }
            if (root.ActiveTimeIntervals.Count > 0)
            {
                yield return new FieldError("routing.route.active_time_intervals", "the root route must not have any active time intervals");
            }
            var intervals = routing.TimeIntervals.Where(t => t.Name is not null).Select(t => t.Name!).ToHashSet(StringComparer.Ordinal);
            foreach (var error in ValidateRoute(root, "routing.route", channels, intervals))
            {
                yield return error;
            }
        }
        foreach (var (rules, key) in new[] { (routing.InhibitRules, "inhibit_rules"), (routing.DependencyRules, "dependency_rules") })
        {
            for (var i = 0; i < rules.Count; i++)
            {
                foreach (var error in ValidateRule(rules[i], $"routing.{key}[{i}].", requireTarget: key == "inhibit_rules"))
                {
                    yield return error;
                }
            }
        }
        foreach (var error in TimeIntervals.Validate(routing.TimeIntervals))
        {
            yield return error;
        }
        if (routing.HistoryRetention < TimeSpan.FromDays(1))
        {
            yield return new FieldError("routing.history_retention", "must be at least 1d");
        }
        if (routing.ResolveTimeout <= TimeSpan.Zero)
        {
            yield return new FieldError("routing.resolve_timeout", "must be greater than 0");
        }
        if (routing.ExternalUrl.Length > 0 && !Uri.TryCreate(routing.ExternalUrl, UriKind.Absolute, out _))
        {
            yield return new FieldError("routing.external_url", $"\"{routing.ExternalUrl}\" is not an absolute URL");
        }
    }

    private static IEnumerable<FieldError> ValidateRoute(RouteSettings route, string at, HashSet<string> channels, HashSet<string> intervals)
    {
        if (route.Receiver is { Length: > 0 } receiver && !channels.Contains(receiver))
        {
            yield return new FieldError($"{at}.receiver", $"route references an unknown channel \"{receiver}\" (define it under channels:)");
        }
        if (route.GroupBy is { } groupBy)
        {
            if (groupBy.Contains("...") && groupBy.Count > 1)
            {
                yield return new FieldError($"{at}.group_by", "cannot have wildcard group_by (`...`) and other labels at the same time");
            }
            for (var i = 0; i < groupBy.Count; i++)
            {
                if (groupBy[i] != "..." && !IsLabelName(groupBy[i]))
                {
                    yield return new FieldError($"{at}.group_by[{i}]", $"invalid label name \"{groupBy[i]}\"");
                }
            }
            if (groupBy.Distinct().Count() != groupBy.Count)
            {
                yield return new FieldError($"{at}.group_by", "duplicated label in group_by");
            }
        }
        if (route.GroupInterval is { } gi && gi <= TimeSpan.Zero)
        {
            yield return new FieldError($"{at}.group_interval", "must be greater than 0");
        }
        if (route.RepeatInterval is { } ri && ri <= TimeSpan.Zero)
        {
            yield return new FieldError($"{at}.repeat_interval", "must be greater than 0");
        }
        foreach (var (names, key) in new[] { (route.MuteTimeIntervals, "mute_time_intervals"), (route.ActiveTimeIntervals, "active_time_intervals") })
        {
            for (var i = 0; i < names.Count; i++)
            {
                if (!intervals.Contains(names[i]))
                {
                    yield return new FieldError($"{at}.{key}[{i}]", $"undefined time interval \"{names[i]}\" used in route (define it under routing.time_intervals)");
                }
            }
        }
        foreach (var error in ValidateMatchers(route.Matchers, $"{at}.matchers"))
        {
            yield return error;
        }
        for (var i = 0; i < route.Routes.Count; i++)
        {
            foreach (var error in ValidateRoute(route.Routes[i], $"{at}.routes[{i}]", channels, intervals))
            {
                yield return error;
            }
        }
    }

    private static IEnumerable<FieldError> ValidateRule(InhibitRuleSettings rule, string at, bool requireTarget)
    {
        foreach (var error in ValidateMatchers(rule.SourceMatchers, at + "source_matchers")
            .Concat(ValidateMatchers(rule.TargetMatchers, at + "target_matchers"))
            .Concat(ValidateMatchMaps(rule.SourceMatch, rule.SourceMatchRe, at + "source_match"))
            .Concat(ValidateMatchMaps(rule.TargetMatch, rule.TargetMatchRe, at + "target_match")))
        {
            yield return error;
        }
        // A dependency rule without target matchers covers every alert of the dependent services,
        // which the catalog already narrows; an inhibition rule would mute every alert.
        if (requireTarget && rule.TargetMatchers.Count == 0 && rule.TargetMatch.Count == 0 && rule.TargetMatchRe.Count == 0)
        {
            yield return new FieldError(at + "target_matchers", "an inhibition rule needs target_matchers (else it would mute every alert)");
        }
        for (var i = 0; i < rule.Equal.Count; i++)
        {
            if (!IsLabelName(rule.Equal[i]))
            {
                yield return new FieldError($"{at}equal[{i}]", $"invalid label name \"{rule.Equal[i]}\"");
            }
        }
    }

    /// <summary>Alertmanager's older <c>source_match</c>/<c>target_match</c> (label → value) and <c>..._re</c> (label → regular expression).</summary>
    private static IEnumerable<FieldError> ValidateMatchMaps(Dictionary<string, string> equal, Dictionary<string, string> regex, string at)
    {
        foreach (var name in equal.Keys.Where(n => !IsLabelName(n)))
        {
            yield return new FieldError($"{at}.{name}", $"invalid label name \"{name}\"");
        }
        foreach (var (name, value) in regex)
        {
            if (!IsLabelName(name))
            {
                yield return new FieldError($"{at}_re.{name}", $"invalid label name \"{name}\"");
                continue;
            }
            string? reason = null;
            try
            {
                _ = Matcher.Create(name, MatcherKind.Regex, value);
            }
            catch (ArgumentException e)
            {
                reason = $"invalid regular expression \"{value}\": {e.Message}";
            }
            if (reason is not null)
            {
                yield return new FieldError($"{at}_re.{name}", reason);
            }
        }
    }

    public static IEnumerable<FieldError> ValidateMatchers(IReadOnlyList<string> matchers, string at)
    {
        for (var i = 0; i < matchers.Count; i++)
        {
            if (!Matcher.TryParse(matchers[i], out _, out var reason))
            {
                yield return new FieldError($"{at}[{i}]", reason);
            }
        }
    }

    public static bool IsLabelName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
