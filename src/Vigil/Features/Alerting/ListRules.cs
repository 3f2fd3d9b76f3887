using Vigil.Features.Alerting.Evaluation;
using Vigil.Features.Alerting.Rules;
using Vigil.Features.Templates;
using Vigil.Metrics;

namespace Vigil.Features.Alerting;

/// <summary>
/// The rules in force and their alerts: <c>GET /api/rules</c> (Vigil's shape) and the
/// Prometheus-compatible <c>GET /prometheus/api/v1/rules</c> and <c>/prometheus/api/v1/alerts</c>
/// (web/api/v1/api.go), which Grafana reads.
/// </summary>
public static class ListRules
{
    /// <param name="GeneratedBy">What generated the group (<c>slo:&lt;name&gt;</c>), or null for groups of rule files and vigil.yaml.</param>
    public sealed record GroupView(string Name, string File, double IntervalSeconds, DateTimeOffset? LastEvaluation, double EvaluationSeconds, IReadOnlyList<RuleView> Rules, string? GeneratedBy = null);

    public sealed record RuleView(
        string Name,
        string Type,
        string Query,
        double ForSeconds,
        double KeepFiringForSeconds,
        IReadOnlyDictionary<string, string> Labels,
        IReadOnlyDictionary<string, string> Annotations,
        string State,
        string Health,
        string? LastError,
        DateTimeOffset? LastEvaluation,
        double EvaluationSeconds,
        IReadOnlyList<AlertView> Alerts);

    public sealed record AlertView(
        IReadOnlyDictionary<string, string> Labels,
        IReadOnlyDictionary<string, string> Annotations,
        string State,
        double Value,
        DateTimeOffset ActiveAt,
        DateTimeOffset? FiredAt,
        DateTimeOffset? ResolvedAt,
        DateTimeOffset? LastSentAt);

    public static IResult Vigil(EvaluateRules rules) =>
        TypedResults.Ok(new { groups = rules.Groups.Select(View).ToList() });

    public static GroupView View(RuleGroupSnapshot g) => new(
        g.Group.Name, g.Group.File, g.Interval.TotalSeconds, g.LastEvaluation, g.LastDuration.TotalSeconds,
        [.. g.Rules.Select(r => new RuleView(
            r.Rule.Name,
            r.Rule.Alert is null ? "recording" : "alerting",
            r.Rule.ExprText,
            r.Rule.For.TotalSeconds,
            r.Rule.KeepFiringFor.TotalSeconds,
            Pairs(r.Rule.Labels),
            Pairs(r.Rule.Annotations),
            StateOf(r),
            HealthOf(r),
            r.Health?.Error,
            r.Health is { } h ? DateTimeOffset.FromUnixTimeMilliseconds(h.EvaluatedAtMs) : null,
            r.Health?.Duration.TotalSeconds ?? 0,
            [.. r.Alerts.Select(a => new AlertView(Dict(a.Labels), Dict(a.Annotations), Phase(a.Phase), a.Value, a.ActiveAt, a.FiredAt, a.ResolvedAt, a.LastSentAt))]))],
        g.Group.GeneratedBy);

    /// <summary><c>GET /prometheus/api/v1/rules</c>; <c>type=alert|record</c> filters as Prometheus does.</summary>
    public static IResult Prometheus(EvaluateRules rules, string? type)
    {
        var groups = rules.Groups.Select(g => new Dictionary<string, object?>
        {
            ["name"] = g.Group.Name,
            ["file"] = g.Group.File,
            ["rules"] = g.Rules
                .Where(r => type is null || (type == "alert") == (r.Rule.Alert is not null))
                .Select(r => r.Rule.Alert is not null
                    ? new Dictionary<string, object?>
                    {
                        ["state"] = StateOf(r),
                        ["name"] = r.Rule.Name,
                        ["query"] = r.Rule.ExprText,
                        ["duration"] = r.Rule.For.TotalSeconds,
                        ["keepFiringFor"] = r.Rule.KeepFiringFor.TotalSeconds,
                        ["labels"] = Pairs(r.Rule.Labels),
                        ["annotations"] = Pairs(r.Rule.Annotations),
                        ["alerts"] = r.Alerts.Where(a => a.Phase != AlertPhase.Inactive).Select(PrometheusAlert).ToList(),
                        ["health"] = HealthOf(r),
                        ["lastError"] = r.Health?.Error,
                        ["evaluationTime"] = r.Health?.Duration.TotalSeconds ?? 0,
                        ["lastEvaluation"] = LastEvaluation(r),
                        ["type"] = "alerting",
                    }
                    : new Dictionary<string, object?>
                    {
                        ["name"] = r.Rule.Name,
                        ["query"] = r.Rule.ExprText,
                        ["labels"] = Pairs(r.Rule.Labels),
                        ["health"] = HealthOf(r),
                        ["lastError"] = r.Health?.Error,
                        ["evaluationTime"] = r.Health?.Duration.TotalSeconds ?? 0,
                        ["lastEvaluation"] = LastEvaluation(r),
                        ["type"] = "recording",
                    })
                .ToList(),
            ["interval"] = g.Interval.TotalSeconds,
            ["limit"] = 0,
            ["evaluationTime"] = g.LastDuration.TotalSeconds,
            ["lastEvaluation"] = g.LastEvaluation ?? DateTimeOffset.UnixEpoch.AddYears(-1969),
        }).ToList();
        return TypedResults.Ok(new Dictionary<string, object?> { ["status"] = "success", ["data"] = new Dictionary<string, object?> { ["groups"] = groups } });
    }

    /// <summary><c>GET /prometheus/api/v1/alerts</c>: the pending and firing alerts of every rule.</summary>
    public static IResult PrometheusAlerts(EvaluateRules rules)
    {
        var alerts = rules.Groups.SelectMany(g => g.Rules).SelectMany(r => r.Alerts).Where(a => a.Phase != AlertPhase.Inactive).Select(PrometheusAlert).ToList();
        return TypedResults.Ok(new Dictionary<string, object?> { ["status"] = "success", ["data"] = new Dictionary<string, object?> { ["alerts"] = alerts } });
    }

    private static Dictionary<string, object?> PrometheusAlert(AlertSnapshot a) => new()
    {
        ["labels"] = Dict(a.Labels),
        ["annotations"] = Dict(a.Annotations),
        ["state"] = Phase(a.Phase),
        ["activeAt"] = a.ActiveAt,
        // web/api/v1: strconv.FormatFloat(value, 'e', -1, 64).
        ["value"] = GoFormat.E(a.Value).Replace('E', 'e'),
    };

    private static object LastEvaluation(RuleSnapshot r) =>
        r.Health is { } h ? DateTimeOffset.FromUnixTimeMilliseconds(h.EvaluatedAtMs) : DateTimeOffset.UnixEpoch.AddYears(-1969);

    private static string StateOf(RuleSnapshot r) =>
        r.Alerts.Any(a => a.Phase == AlertPhase.Firing) ? "firing" : r.Alerts.Any(a => a.Phase == AlertPhase.Pending) ? "pending" : "inactive";

    private static string HealthOf(RuleSnapshot r) => r.Health is null ? "unknown" : r.Health.Error is null ? "ok" : "err";

    private static string Phase(AlertPhase phase) => phase switch
    {
        AlertPhase.Firing => "firing",
        AlertPhase.Pending => "pending",
        _ => "inactive",
    };

    private static Dictionary<string, string> Dict(Labels labels) => labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);

    private static Dictionary<string, string> Pairs(IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
}
