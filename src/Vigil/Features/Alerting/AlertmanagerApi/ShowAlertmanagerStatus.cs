using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Server;

namespace Vigil.Features.Alerting.AlertmanagerApi;

/// <summary>
/// <c>GET /api/v2/status</c> (<c>alertmanagerStatus</c>), which amtool reads before every command
/// (its version check) and for <c>amtool config routes</c>. <c>versionInfo.version</c> is the
/// Alertmanager API level Vigil answers like (0.25.0); <c>revision</c> is Vigil's own version. The
/// cluster is <c>disabled</c> (one Vigil has no gossip peers). <c>config.original</c> is Vigil's
/// <c>routing:</c> section written as an Alertmanager configuration — the routing tree (receivers
/// are channel names), inhibit rules and resolve timeout — so that <c>amtool config routes</c> and
/// <c>amtool config routes test</c> show how Vigil routes. Time intervals are left out (Vigil's
/// names only make sense with its own definitions).
/// </summary>
public static class ShowAlertmanagerStatus
{
    /// <summary>The receiver named at the root when <c>routing.route</c> is not set (Vigil then notifies no one).</summary>
    public const string NoReceiver = "(no receiver)";

    public static JsonHttpResult<AlertmanagerStatus> Handle(ConfigReloader config, ProcessClock process) => TypedResults.Json(
        new AlertmanagerStatus(
            new ClusterStatus("disabled", []),
            new VersionInfo("", "", "", "", $"vigil-{ProcessClock.Version}", "0.25.0"),
            new AlertmanagerConfig(ToAlertmanagerYaml(config.Current.Config.Routing)),
            AlertmanagerJson.Utc(process.StartedAt)),
        AlertmanagerJson.Options);

    /// <summary>The routing settings as Alertmanager's <c>alertmanager.yml</c> (<c>config/config.go</c> keys); strings are double-quoted.</summary>
    public static string ToAlertmanagerYaml(RoutingSettings routing)
    {
        var yaml = new StringBuilder();
        yaml.Append("global:\n  resolve_timeout: ").Append(Duration.Format(routing.ResolveTimeout)).Append('\n');
        var root = routing.Route ?? new RouteSettings();
        yaml.Append("route:\n");
        WriteRoute(yaml, root, root.Receiver ?? NoReceiver, "  ");
        var receivers = new SortedSet<string>(StringComparer.Ordinal) { root.Receiver ?? NoReceiver };
        CollectReceivers(root, receivers);
        yaml.Append("receivers:\n");
        foreach (var name in receivers)
        {
            yaml.Append("- name: ").Append(Quote(name)).Append('\n');
        }
        if (routing.InhibitRules.Count > 0)
        {
            yaml.Append("inhibit_rules:\n");
            foreach (var rule in routing.InhibitRules)
            {
                yaml.Append("- source_matchers: ").Append(List(rule.SourceMatchers)).Append('\n');
                yaml.Append("  target_matchers: ").Append(List(rule.TargetMatchers)).Append('\n');
                yaml.Append("  equal: ").Append(List(rule.Equal)).Append('\n');
            }
        }
        return yaml.ToString();
    }

    private static void WriteRoute(StringBuilder yaml, RouteSettings route, string? receiverOverride, string indent)
    {
        var first = true;
        void Key(string key, string value)
        {
            yaml.Append(first ? indent[..^2] + (indent.Length > 2 ? "- " : "  ") : indent).Append(key).Append(": ").Append(value).Append('\n');
            first = false;
        }
        if ((receiverOverride ?? route.Receiver) is { } receiver)
        {
            Key("receiver", Quote(receiver));
        }
        if (route.GroupBy is { } groupBy)
        {
            Key("group_by", List(groupBy));
        }
        if (route.Matchers.Count > 0)
        {
            Key("matchers", List(route.Matchers));
        }
        if (route.Continue)
        {
            Key("continue", "true");
        }
        if (route.GroupWait is { } wait)
        {
            Key("group_wait", Duration.Format(wait));
        }
        if (route.GroupInterval is { } interval)
        {
            Key("group_interval", Duration.Format(interval));
        }
        if (route.RepeatInterval is { } repeat)
        {
            Key("repeat_interval", Duration.Format(repeat));
        }
        if (first)
        {
            // A child route with nothing of its own still needs an entry.
            Key("continue", "false");
        }
        if (route.Routes.Count > 0)
        {
            yaml.Append(indent).Append("routes:\n");
            foreach (var child in route.Routes)
            {
                WriteRoute(yaml, child, null, indent + "  ");
            }
        }
    }

    private static void CollectReceivers(RouteSettings route, SortedSet<string> receivers)
    {
        foreach (var child in route.Routes)
        {
            if (child.Receiver is { } r)
            {
                receivers.Add(r);
            }
            CollectReceivers(child, receivers);
        }
    }

    private static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

    private static string Quote(string value) => Templates.GoJson.Quote(value);
}
