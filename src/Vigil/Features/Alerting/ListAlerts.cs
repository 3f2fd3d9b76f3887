using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Alerting.Routing;
using Vigil.Hosting;

namespace Vigil.Features.Alerting;

public enum AlertListState
{
    Active,
    Suppressed,
    Resolved,
}

/// <summary>Why an alert is suppressed: the silences and inhibiting alerts (fingerprints), maintenance windows and the dependency alert.</summary>
public sealed record SuppressionView(IReadOnlyList<string> SilencedBy, IReadOnlyList<string> InhibitedBy, IReadOnlyList<string> Maintenance, string? Dependency);

/// <summary>An alert as <c>GET /api/alerts</c> shows it (Alertmanager's API v2 <c>gettableAlert</c>, plus Vigil's suppression reasons).</summary>
public sealed record AlertView(
    string Fingerprint, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset UpdatedAt, string GeneratorUrl, string Source,
    AlertListState State, SuppressionView? Suppressed, IReadOnlyList<string> Receivers);

public sealed record AlertHistoryView(DateTimeOffset At, string Kind, string Status, string? Receiver, string? Detail);

public sealed record AlertDetailView(AlertView? Alert, IReadOnlyList<AlertHistoryView> History);

public sealed record AlertGroupView(string GroupKey, string Receiver, IReadOnlyDictionary<string, string> GroupLabels, DateTimeOffset NextFlushAt, DateTimeOffset? LastFlushAt, bool OpenIncident);

/// <summary>
/// <c>GET /api/alerts</c>: every stored alert with its state — active (would be notified),
/// suppressed (with why), or resolved (waiting for its resolved notification) — filtered by
/// <c>matcher</c> (repeatable, all must match), <c>receiver</c> and <c>state</c>.
/// <c>GET /api/alerts/{fingerprint}</c> adds its history (received, notified, resolved), kept after the alert is gone.
/// </summary>
public static class ListAlerts
{
    public static async Task<Results<Ok<List<AlertView>>, ValidationProblem>> Handle(
        VigilDbContext db, ConfigReloader config, ActiveMaintenanceSource maintenance, TimeProvider clock, CancellationToken cancellationToken,
        string[]? matcher = null, string? receiver = null, string? state = null)
    {
        if (ListFilters.TryParse<AlertListState>(state, matcher, "active, suppressed or resolved", out var wanted, out var filters) is { } problem)
        {
            return problem;
        }
        var views = await ViewsAsync(db, config.Current.Config.Routing, maintenance, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(views
            .Where(a => wanted is null || a.State == wanted)
            .Where(a => receiver is null || a.Receivers.Contains(receiver))
            .Where(a => filters.MatchAll(Vigil.Metrics.Labels.From(a.Labels.Select(kv => new Vigil.Metrics.Label(kv.Key, kv.Value)))))
            .ToList());
    }

    public static async Task<Results<Ok<AlertDetailView>, ProblemHttpResult>> Get(
        string fingerprint, VigilDbContext db, ConfigReloader config, ActiveMaintenanceSource maintenance, TimeProvider clock, CancellationToken cancellationToken)
    {
        var alert = (await ViewsAsync(db, config.Current.Config.Routing, maintenance, clock.GetUtcNow(), cancellationToken)).FirstOrDefault(a => a.Fingerprint == fingerprint);
        var history = await HistoryAsync(db, fingerprint, cancellationToken);
        return alert is null && history.Count == 0
            ? Problems.NotFound($"no alert with fingerprint \"{fingerprint}\"")
            : TypedResults.Ok(new AlertDetailView(alert, history));
    }

    public static async Task<Ok<List<AlertGroupView>>> Groups(VigilDbContext db, CancellationToken cancellationToken)
    {
        var groups = await db.Set<AlertGroup>().AsNoTracking().OrderBy(g => g.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(groups.Select(g => new AlertGroupView(
            g.GroupKey, g.Receiver, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(g.GroupLabelsJson)!, g.NextFlushAt, g.LastFlushAt, g.OpenIncident)).ToList());
    }

    public static async Task<List<AlertHistoryView>> HistoryAsync(VigilDbContext db, string fingerprint, CancellationToken cancellationToken) =>
        [.. (await db.Set<AlertEvent>().AsNoTracking().Where(e => e.Fingerprint == fingerprint).ToListAsync(cancellationToken))
            .OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new AlertHistoryView(e.At, e.Kind, e.Status, e.Receiver, e.Detail))];

    /// <summary>Every stored alert with its state now; also the console's Alerts page.</summary>
    public static async Task<List<AlertView>> ViewsAsync(VigilDbContext db, RoutingSettings settings, ActiveMaintenanceSource maintenance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var alerts = await db.Set<StoredAlert>().AsNoTracking().ToListAsync(cancellationToken);
        var muting = await DispatchAlerts.MutingAsync(db, alerts, settings, maintenance, now, cancellationToken);
        var tree = RouteNode.Build(settings.Route);
        return [.. alerts
            .OrderBy(a => a.StartsAt).ThenBy(a => a.Fingerprint, StringComparer.Ordinal)
            .Select(a =>
            {
                var resolved = a.IsResolvedAt(now);
                var mute = muting.For(new Dispatch.AlertView(a.Fingerprint, a.Labels, !resolved));
                var alertState = resolved ? AlertListState.Resolved : mute.IsMuted ? AlertListState.Suppressed : AlertListState.Active;
                return new AlertView(
                    a.Fingerprint, Map(a.Labels), Map(a.Annotations), a.StartsAt, a.EndsAt, a.UpdatedAt, a.GeneratorUrl, a.Source, alertState,
                    mute.IsMuted ? new SuppressionView(mute.SilencedBy, mute.InhibitedBy, mute.Maintenance, mute.SuppressedBy) : null,
                    [.. (tree?.Match(a.Labels) ?? []).Select(r => r.Receiver).Distinct()]);
            })];
    }

    private static Dictionary<string, string> Map(Vigil.Metrics.Labels labels) => labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);
}
