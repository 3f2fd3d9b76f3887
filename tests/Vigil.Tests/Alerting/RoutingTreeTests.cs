using Vigil.Configuration;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Routing;
using Vigil.Metrics;

namespace Vigil.Tests.Alerting;

/// <summary>The routing tree, matchers, the dedup decision and inhibition, as Alertmanager defines them.</summary>
public class RoutingTreeTests
{
    private const string Config = """
        channels:
          - name: default
            type: webhook
            url: http://127.0.0.1:9/
          - name: pager
            type: pagerduty
            routing_key: 0123456789abcdef0123456789abcdef
          - name: web-team
            type: slack
            url: http://127.0.0.1:9/
        routing:
          route:
            receiver: default
            group_by: [alertname]
            routes:
              - matchers: ['severity="critical"']
                receiver: pager
                continue: true
                group_by: ['...']
                open_incident: true
              - matchers: ['service=~"api|web"', 'env!="dev"']
                receiver: web-team
                repeat_interval: 1h
                routes:
                  - matchers: ['team="db"']
                    group_wait: 1m
        """;

    private static RouteNode Tree()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", Config, new Dictionary<string, string>());
        Assert.Empty(loaded.Errors);
        return RouteNode.Build(loaded.Config.Routing.Route)!;
    }

    public static TheoryData<string, string[]> Cases => new()
    {
        { "alertname=X", ["default"] },
        { "alertname=X,severity=critical", ["pager"] },
        { "alertname=X,severity=critical,service=api", ["pager", "web-team"] },
        { "alertname=X,service=web,env=dev", ["default"] },
        { "alertname=X,service=webby", ["default"] },
        { "alertname=X,service=web,team=db", ["web-team"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Alerts_take_the_routes_alertmanager_would_give_them(string labels, string[] receivers)
    {
        var set = Labels.From(labels.Split(',').Select(p => p.Split('=')).Select(p => new Label(p[0], p[1])));
        Assert.Equal(receivers, Tree().Match(set).Select(r => r.Receiver));
    }

    [Fact]
    public void Children_inherit_unset_options_and_keys_name_the_path()
    {
        var tree = Tree();
        var (pager, web) = (tree.Routes[0], tree.Routes[1]);
        var db = web.Routes[0];
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromHours(4)), (tree.GroupWait, tree.GroupInterval, tree.RepeatInterval));
        Assert.Equal(("web-team", TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), "alertname"), (db.Receiver, db.RepeatInterval, db.GroupWait, string.Join(",", db.GroupBy)));
        Assert.True(pager.GroupByAll);
        Assert.True(pager.OpenIncident);
        Assert.False(web.OpenIncident);
        Assert.True(db.SendResolvedAlways);
        // Alertmanager sorts a route's matchers for its key: env before service.
        Assert.Equal("{}/{env!=\"dev\",service=~\"api|web\"}/{team=\"db\"}", db.Key);
        Assert.Equal(Labels.Of("alertname", "X"), db.GroupLabels(Labels.Of("alertname", "X", "team", "db")));
    }

    [Fact]
    public void A_route_naming_an_unknown_channel_is_a_config_error_at_its_line()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            channels:
              - name: default
                type: webhook
                url: http://127.0.0.1:9/
            routing:
              route:
                receiver: default
                routes:
                  - matchers: ['severity="critical"', 'service=~"("']
                    receiver: pagr
                    group_by: ['...', job]
            """, new Dictionary<string, string>());
        Assert.Equal(
            [
                "vigil.yaml:9:43: \"service=~\"(\"\": invalid regular expression: Invalid pattern '^(?:()\\z' at offset 8. Not enough )'s.",
                "vigil.yaml:10:19: route references an unknown channel \"pagr\" (define it under channels:)",
                "vigil.yaml:11:19: cannot have wildcard group_by (`...`) and other labels at the same time",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("severity=\"critical\"", "severity", MatcherKind.Equal, "critical")]
    [InlineData("service=~\"api|web\"", "service", MatcherKind.Regex, "api|web")]
    [InlineData("env != dev", "env", MatcherKind.NotEqual, "dev")]
    [InlineData("team!~\"db.*\"", "team", MatcherKind.NotRegex, "db.*")]
    [InlineData("msg=\"say \\\"hi\\\"\"", "msg", MatcherKind.Equal, "say \"hi\"")]
    public void Matchers_parse_alertmanagers_syntax(string text, string name, MatcherKind type, string value)
    {
        var m = Matcher.Parse(text);
        Assert.Equal((name, type, value), (m.Name, m.Type, m.Value));
    }

    [Fact]
    public void Regex_matchers_are_anchored_and_an_absent_label_is_empty()
    {
        Assert.False(Matcher.Parse("service=~\"api\"").Matches(Labels.Of("service", "api-gw")));
        Assert.True(Matcher.Parse("env!=\"prod\"").Matches(Labels.Empty));
        Assert.True(Matcher.Parse("env=\"\"").Matches(Labels.Of("a", "b")));
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static HashSet<string> Set(string fingerprints) => [.. fingerprints.Split(',', StringSplitOptions.RemoveEmptyEntries)];

    // Alertmanager notify/notify_test.go TestDedupStageNeedsUpdate, in the same order of cases.
    [Theory]
    [InlineData(null, null, "", "", 0, NotifyReason.NothingFiring)]
    [InlineData(null, null, "1", "", 0, NotifyReason.FirstNotification)]
    [InlineData("1,2,3", "", "2", "", 0, NotifyReason.NothingChanged)]
    [InlineData("1,2,3", "", "1,2,3,4", "", 0, NotifyReason.NewFiringAlerts)]
    [InlineData("1", "", "1", "", 5, NotifyReason.RepeatIntervalPassed)]
    [InlineData("1", "", "1", "", 3, NotifyReason.NothingChanged)]
    [InlineData("1,2", "3", "1", "2,3", 0, NotifyReason.NewResolvedAlerts)]
    [InlineData("1,2", "", "", "1,2", 0, NotifyReason.AllResolved)]
    [InlineData("", "1,2", "", "1,2", 0, NotifyReason.ResolvedUnseen)]
    [InlineData("1,2", "", "1", "", 0, NotifyReason.NothingChanged)]
    public void The_dedup_decision_is_alertmanagers_needsUpdate(string? lastFiring, string? lastResolved, string firing, string resolved, int hoursSinceLast, NotifyReason expected)
    {
        var last = lastFiring is null ? null : new LastNotification(Set(lastFiring), Set(lastResolved!), Now.AddHours(-hoursSinceLast).AddSeconds(-1));
        Assert.Equal(expected, NotifyDecision.NeedsUpdate(last, Set(firing), Set(resolved), TimeSpan.FromHours(4), Now));
    }

    private static AlertView View(string fingerprint, bool firing, params string[] labels) => new(fingerprint, Labels.Of(labels), firing);

    [Fact]
    public void A_firing_source_inhibits_targets_with_equal_labels_but_never_itself()
    {
        var rule = InhibitRule.From(new InhibitRuleSettings { SourceMatchers = ["severity=\"critical\""], TargetMatchers = ["severity=~\"warning|critical\""], Equal = ["service"] });
        var critical = View("c", true, "alertname", "Down", "service", "api", "severity", "critical");
        var warning = View("w", true, "alertname", "Slow", "service", "api", "severity", "warning");
        var otherService = View("o", true, "alertname", "Slow", "service", "web", "severity", "warning");
        var otherCritical = View("c2", true, "alertname", "Errors", "service", "api", "severity", "critical");
        var muting = new AlertMuting([critical, warning, otherService, otherCritical], [], [rule], []);
        Assert.Equal(["c", "c2"], muting.For(warning).InhibitedBy);
        Assert.False(muting.For(otherService).IsMuted);
        // Both sides match both critical alerts: Alertmanager excludes two-sided matches, so neither mutes the other.
        Assert.False(muting.For(critical).IsMuted);
        Assert.False(muting.For(otherCritical).IsMuted);

        var resolvedSource = new AlertMuting([View("c", false, "service", "api", "severity", "critical"), warning], [], [rule], []);
        Assert.False(resolvedSource.For(warning).IsMuted);
    }

    private static readonly Dictionary<string, IReadOnlyList<string>> Needs = new()
    {
        ["web"] = ["api"],
        ["api"] = ["db"],
        ["db"] = [],
        ["a"] = ["b"],
        ["b"] = ["a"],
    };

    private static DependencySuppression DefaultDependencies() => new(Needs, [.. RoutingSettings.DefaultDependencyRules.Select(InhibitRule.From)]);

    [Fact]
    public void An_alert_whose_dependency_is_down_is_suppressed_by_the_root_cause()
    {
        var db = View("db1", true, "alertname", "MonitorDown", "service", "db", "severity", "critical");
        var api = View("api1", true, "alertname", "MonitorDown", "service", "api", "severity", "critical");
        var web = View("web1", true, "alertname", "HighErrorRate", "service", "web", "severity", "critical");
        var a = View("a1", true, "alertname", "MonitorDown", "service", "a");
        var b = View("b1", true, "alertname", "MonitorDown", "service", "b");
        var muting = new AlertMuting([db, api, web, a, b], [], [], [], DefaultDependencies());
        Assert.Null(muting.For(db).SuppressedBy);
        Assert.Equal("db1", muting.For(api).SuppressedBy);
        Assert.Equal("db1", muting.For(web).SuppressedBy);
        // A cycle suppresses nothing: both page.
        Assert.False(muting.For(a).IsMuted);
        Assert.False(muting.For(b).IsMuted);
    }

    // The seeds' scenarios: what a database alert must not hide downstream, with the default rules.
    [Theory]
    [InlineData("HeartbeatMissed critical: a missed backup heartbeat is no outage", "alertname=HeartbeatMissed,severity=critical,monitor=db-backup", "alertname=HighErrorRate,severity=critical", false)]
    [InlineData("ErrorBudgetBurn ticket: a burn alert still firing after recovery", "alertname=ErrorBudgetBurn,severity=ticket,slo=db", "alertname=HighErrorRate,severity=critical", false)]
    [InlineData("ErrorBudgetBurn page is no outage either", "alertname=ErrorBudgetBurn,severity=page,slo=db", "alertname=HighErrorRate,severity=critical", false)]
    [InlineData("MonitorDown is an outage", "alertname=MonitorDown,severity=critical", "alertname=HighErrorRate,severity=critical", true)]
    [InlineData("outage=true marks any alert as one", "alertname=ReplicationBroken,outage=true", "alertname=HighErrorRate,severity=critical", true)]
    [InlineData("security alerts are exempt", "alertname=MonitorDown,severity=critical", "alertname=IntrusionDetected,severity=critical,category=security", false)]
    [InlineData("failed logins are security too", "alertname=MonitorDown,severity=critical", "alertname=FailedLoginsSpike,severity=warning,category=security", false)]
    [InlineData("certificate expiry is exempt", "alertname=MonitorDown,severity=critical", "alertname=CertificateExpiring,severity=warning", false)]
    [InlineData("informational severities are exempt", "alertname=MonitorDown,severity=critical", "alertname=DeployFinished,severity=info", false)]
    [InlineData("an alert of the dependent service's own name still counts", "alertname=MonitorDown,severity=critical", "alertname=MonitorDown,severity=critical", true)]
    public void Only_a_dependencys_outage_suppresses_and_only_its_symptoms(string _, string source, string target, bool suppressed)
    {
        static Labels Parse(string service, string text) =>
            Labels.Of([.. text.Split(',').SelectMany(p => p.Split('=')), "service", service]);
        var db = new AlertView("db1", Parse("db", source), true);
        var api = new AlertView("api1", Parse("api", target), true);
        var muting = new AlertMuting([db, api], [], [], [], DefaultDependencies());
        Assert.Equal(suppressed ? "db1" : null, muting.For(api).SuppressedBy);
    }

    [Fact]
    public void A_dependencys_outage_that_is_silenced_inhibited_or_in_maintenance_suppresses_nothing()
    {
        var db = View("db1", true, "alertname", "MonitorDown", "service", "db", "severity", "critical");
        var api = View("api1", true, "alertname", "HighErrorRate", "service", "api", "severity", "critical");
        var silenced = new AlertMuting([db, api], [new ActiveSilence("s1", [Matcher.Parse("service=\"db\"")])], [], [], DefaultDependencies());
        Assert.Equal(["s1"], silenced.For(db).SilencedBy);
        Assert.False(silenced.For(api).IsMuted);
        var maintenance = new AlertMuting([db, api], [], [], [new ActiveMaintenance("db-patching", "db", null)], DefaultDependencies());
        Assert.False(maintenance.For(api).IsMuted);
        var clusterDown = View("k1", true, "alertname", "ClusterDown", "service", "k8s");
        var inhibit = InhibitRule.From(new InhibitRuleSettings { SourceMatchers = ["alertname=\"ClusterDown\""], TargetMatchers = ["alertname=\"MonitorDown\""] });
        var inhibited = new AlertMuting([db, api, clusterDown], [], [inhibit], [], DefaultDependencies());
        Assert.Equal(["k1"], inhibited.For(db).InhibitedBy);
        Assert.False(inhibited.For(api).IsMuted);
        // Unmuted, the same outage suppresses the API's alert.
        Assert.Equal("db1", new AlertMuting([db, api], [], [], [], DefaultDependencies()).For(api).SuppressedBy);
    }

    [Fact]
    public void Dependency_rules_replace_the_defaults_and_their_equal_labels_must_agree()
    {
        var rule = InhibitRule.From(new InhibitRuleSettings { SourceMatchers = ["severity=\"critical\""], TargetMatchers = ["severity=\"warning\""], Equal = ["environment"] });
        var dependencies = new DependencySuppression(Needs, [rule]);
        var db = View("db1", true, "alertname", "HighLatency", "service", "db", "severity", "critical", "environment", "production");
        var apiProduction = View("api1", true, "alertname", "Slow", "service", "api", "severity", "warning", "environment", "production");
        var apiStaging = View("api2", true, "alertname", "Slow", "service", "api", "severity", "warning", "environment", "staging");
        var apiCritical = View("api3", true, "alertname", "Errors", "service", "api", "severity", "critical", "environment", "production");
        var muting = new AlertMuting([db, apiProduction, apiStaging, apiCritical], [], [], [], dependencies);
        Assert.Equal("db1", muting.For(apiProduction).SuppressedBy);
        Assert.False(muting.For(apiStaging).IsMuted);
        Assert.False(muting.For(apiCritical).IsMuted);
    }

    [Fact]
    public void Alertmanagers_older_source_match_and_target_match_forms_inhibit_too()
    {
        var rule = InhibitRule.From(new InhibitRuleSettings
        {
            SourceMatch = new() { ["alertname"] = "NodeDown" },
            TargetMatchRe = new() { ["severity"] = "warning|info" },
            Equal = ["instance"],
        });
        var source = View("n", true, "alertname", "NodeDown", "instance", "a", "severity", "critical");
        var target = View("w", true, "alertname", "DiskFull", "instance", "a", "severity", "warning");
        var critical = View("c", true, "alertname", "DiskFull", "instance", "a", "severity", "critical");
        var muting = new AlertMuting([source, target, critical], [], [rule], []);
        Assert.Equal(["n"], muting.For(target).InhibitedBy);
        Assert.False(muting.For(critical).IsMuted);
    }

    [Fact]
    public void A_silenced_source_still_inhibits_as_in_alertmanager()
    {
        var rule = InhibitRule.From(new InhibitRuleSettings { SourceMatchers = ["alertname=\"NodeDown\""], TargetMatchers = ["severity=\"warning\""] });
        var source = View("n", true, "alertname", "NodeDown");
        var target = View("w", true, "alertname", "DiskFull", "severity", "warning");
        var muting = new AlertMuting([source, target], [new ActiveSilence("s", [Matcher.Parse("alertname=\"NodeDown\"")])], [rule], []);
        Assert.Equal(["n"], muting.For(target).InhibitedBy);
    }
}
