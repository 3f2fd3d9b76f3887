using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Hosting;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.AlertmanagerApi;

/// <summary>
/// <c>GET /api/v2/alerts</c>, as Alertmanager 0.25 answers it (<c>api/v2/api.go</c>
/// <c>getAlertsHandler</c> and <c>alertFilter</c>), for <c>amtool alert query</c> and dashboards
/// that read an Alertmanager: the alerts that have not resolved, each with its receivers and its
/// state (<c>active</c> or <c>suppressed</c>, with the silences and inhibiting alerts). The
/// parameters <c>active</c>, <c>silenced</c>, <c>inhibited</c>, <c>unprocessed</c> (default true)
/// leave out alerts in that state, <c>filter</c> (repeatable) keeps those matching all its matchers,
/// <c>receiver</c> (a regular expression, anchored) those routed to a matching receiver. An alert
/// muted only by a maintenance window is <c>suppressed</c> with no silence nor inhibition named, as
/// Alertmanager shows one muted by a time interval.
/// </summary>
public static class ListAlertmanagerAlerts
{
    public static async Task<Results<JsonHttpResult<List<GettableAlert>>, ValidationProblem>> Handle(
        VigilDbContext db, ConfigReloader config, ActiveMaintenanceSource maintenance, TimeProvider clock, CancellationToken cancellationToken,
        bool? active = null, bool? silenced = null, bool? inhibited = null, bool? unprocessed = null, string[]? filter = null, string? receiver = null)
    {
        var matchers = new List<Routing.Matcher>();
        foreach (var text in filter ?? [])
        {
            if (!Routing.Matcher.TryParse(text, out var m, out var reason))
            {
                return Problems.Field("filter", reason);
            }
            matchers.Add(m!);
        }
        Regex? receiverPattern = null;
        if (receiver is { Length: > 0 })
        {
            try
            {
                receiverPattern = new Regex($"^(?:{receiver})$", RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                return Problems.Field("receiver", $"invalid regular expression: {e.Message}");
            }
        }
        var now = clock.GetUtcNow();
        var views = await ListAlerts.ViewsAsync(db, config.Current.Config.Routing, maintenance, now, cancellationToken);
        var result = views
            .Where(a => a.State != AlertListState.Resolved)
            .Where(a => receiverPattern is null || a.Receivers.Any(receiverPattern.IsMatch))
            .Where(a => matchers.All(m => m.Matches(Labels.From(a.Labels.Select(kv => new Label(kv.Key, kv.Value))))))
            .Select(ToGettable)
            .Where(a => Keep(a.Status, active ?? true, silenced ?? true, inhibited ?? true, unprocessed ?? true))
            .OrderBy(a => a.Fingerprint, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Json(result, AlertmanagerJson.Options);
    }

    /// <summary>Alertmanager's <c>alertFilter</c> on the alert's status.</summary>
    public static bool Keep(AlertStatus status, bool active, bool silenced, bool inhibited, bool unprocessed) =>
        (active || status.State != "active")
        && (unprocessed || status.State != "unprocessed")
        && (silenced || status.SilencedBy.Count == 0)
        && (inhibited || status.InhibitedBy.Count == 0);

    private static GettableAlert ToGettable(AlertView a)
    {
        var s = a.Suppressed;
        // A dependency's alert mutes like an inhibiting alert, so it is named with them.
        IReadOnlyList<string> inhibitedBy = s is null ? [] : [.. s.InhibitedBy, .. s.Dependency is { } d ? [d] : Array.Empty<string>()];
        return new GettableAlert(
            a.Labels, a.Annotations, AlertmanagerJson.Utc(a.StartsAt), AlertmanagerJson.Utc(a.EndsAt), AlertmanagerJson.Utc(a.UpdatedAt), a.GeneratorUrl, a.Fingerprint,
            [.. a.Receivers.Select(r => new ReceiverName(r))],
            new AlertStatus(a.State == AlertListState.Suppressed ? "suppressed" : "active", s?.SilencedBy ?? [], inhibitedBy));
    }
}
