using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Deployments;
using Vigil.Features.Incidents;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Health;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Features.OnCall;
using Vigil.Features.Slos;
using Duration = Vigil.Configuration.Duration;

namespace Vigil.Features.Overview;

/// <summary>
/// <c>GET /api/overview</c> and the console's home: what is wrong now and who is on it. Each
/// section is read with its slice's own read model (the one its list page uses) and left out
/// (null) when the caller may not see that area.
/// </summary>
public static class ReadOverview
{
    /// <summary>Deployments younger than this are "recent".</summary>
    public static readonly TimeSpan RecentDeployments = TimeSpan.FromHours(24);

    public sealed record OverviewView(
        DateTimeOffset At,
        IReadOnlyList<ServiceRow>? Services,
        IReadOnlyList<FiringAlert>? Alerts,
        IReadOnlyList<OpenIncident>? Incidents,
        IReadOnlyList<OnCallNow>? OnCall,
        IReadOnlyList<SloAtRisk>? Slos,
        IReadOnlyList<RecentDeployment>? Deployments);

    public sealed record ServiceRow(string Name, ServiceStatus Status, IReadOnlyList<string> Reasons);

    public sealed record FiringAlert(string Fingerprint, string Name, string? Severity, string? Service, DateTimeOffset StartsAt, double AgeSeconds);

    public sealed record SlaView(string Target, SlaState State, DateTimeOffset DueAt);

    public sealed record OpenIncident(string Id, string Title, string Severity, string Status, IReadOnlyList<string> Services, DateTimeOffset OpenedAt, IReadOnlyList<SlaView> Sla);

    public sealed record OnCallNow(string Schedule, string? User, DateTimeOffset? Until);

    public sealed record SloAtRisk(string Name, string Service, double? BudgetRemaining, double? BurnRate1h, string Reason);

    public sealed record RecentDeployment(int Id, string Service, string Environment, string Version, string Status, DateTimeOffset At);

    /// <summary>What the overview reads with: one request's services.</summary>
    public sealed record Sources(
        VigilDbContext Db, MonitorStates MonitorStates, IMaintenanceCalendar Maintenance, ConfigReloader Config,
        ActiveMaintenanceSource AlertMaintenance, IncidentWorkspace Incidents, ImportedCalendars Calendars,
        SloCatalog SloCatalog, MeasureSlo MeasureSlo, TimeProvider Clock)
    {
        public static Sources From(IServiceProvider services) => new(
            services.GetRequiredService<VigilDbContext>(), services.GetRequiredService<MonitorStates>(), services.GetRequiredService<IMaintenanceCalendar>(),
            services.GetRequiredService<ConfigReloader>(), services.GetRequiredService<ActiveMaintenanceSource>(), services.GetRequiredService<IncidentWorkspace>(),
            services.GetRequiredService<ImportedCalendars>(), services.GetRequiredService<SloCatalog>(), services.GetRequiredService<MeasureSlo>(),
            services.GetRequiredService<TimeProvider>());
    }

    public static async Task<IResult> Handle(HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(Sources.From(context.RequestServices), context.Caller(), cancellationToken));

    public static async Task<OverviewView> ReadAsync(Sources from, Caller caller, CancellationToken cancellationToken)
    {
        var now = from.Clock.GetUtcNow();
        return new OverviewView(
            now,
            caller.Has(Permission.CatalogView) ? await ServicesAsync(from, now, cancellationToken) : null,
            caller.Has(Permission.AlertsView) ? await AlertsAsync(from, now, cancellationToken) : null,
            caller.Has(Permission.IncidentsView) ? await IncidentsAsync(from, now, cancellationToken) : null,
            caller.Has(Permission.OnCallView) ? await OnCallAsync(from, now, cancellationToken) : null,
            caller.Has(Permission.SlosView) ? await SlosAsync(from, now, cancellationToken) : null,
            caller.Has(Permission.DeploymentsView) ? await DeploymentsAsync(from, now, cancellationToken) : null);
    }

    /// <summary>The catalog's roll-up (the catalog page's), worst first, then by name.</summary>
    private static async Task<List<ServiceRow>> ServicesAsync(Sources from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var statuses = await GetServiceStatus.ComputeAllAsync(from.Db, from.MonitorStates, from.Maintenance, now, cancellationToken);
        return [.. statuses.Values
            .OrderByDescending(s => s.Status).ThenBy(s => s.Service, StringComparer.Ordinal)
            .Select(s => new ServiceRow(s.Service, s.Status, [.. s.Environments.SelectMany(e => e.Reasons).Distinct()]))];
    }

    /// <summary>The alerts page's active alerts (not suppressed, not resolved), most severe first, then oldest first.</summary>
    private static async Task<List<FiringAlert>> AlertsAsync(Sources from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var views = await ListAlerts.ViewsAsync(from.Db, from.Config.Current.Config.Routing, from.AlertMaintenance, now, cancellationToken);
        return [.. views
            .Where(a => a.State == AlertListState.Active)
            .Select(a => new FiringAlert(
                a.Fingerprint, a.Labels.GetValueOrDefault("alertname", a.Fingerprint), a.Labels.GetValueOrDefault("severity"), a.Labels.GetValueOrDefault("service"),
                a.StartsAt, Math.Max(0, (now - a.StartsAt).TotalSeconds)))
            .OrderBy(a => SeverityRank(a.Severity)).ThenBy(a => a.StartsAt).ThenBy(a => a.Fingerprint, StringComparer.Ordinal)];
    }

    /// <summary>The usual severity words (Prometheus rules, PagerDuty, Sloth's page/ticket), worst first; any other after them.</summary>
    public static readonly string[] SeverityOrder = ["critical", "page", "high", "error", "major", "warning", "minor", "ticket", "info", "low"];

    public static int SeverityRank(string? severity) =>
        severity is null ? SeverityOrder.Length + 1
        : Array.IndexOf(SeverityOrder, severity.ToLowerInvariant()) is var i and >= 0 ? i
        : SeverityOrder.Length;

    /// <summary>The incidents page's open incidents with the SLA timers the incident page shows, by severity then newest.</summary>
    private static async Task<List<OpenIncident>> IncidentsAsync(Sources from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = from.Incidents.Settings;
        var open = await ListIncidents.QueryAsync(from.Db, "open", null, null, null, 200, cancellationToken);
        return [.. open
            .OrderBy(i => i.Severity, StringComparer.Ordinal).ThenByDescending(i => i.OpenedAt)
            .Select(i => new OpenIncident(
                i.HumanId, i.Title, i.Severity, i.Status, [.. i.Services.Select(s => s.Service)], i.OpenedAt,
                [.. SlaClock.Evaluate(i.OpenedAt, i.AcknowledgedAt, i.ResolvedAt, settings.Severity(i.Severity), from.Incidents.CalendarFor(i.Severity), settings.SlaWarning, now)
                    .Where(t => t.State is not (SlaState.Met or SlaState.Missed))
                    .Select(t => new SlaView(t.Target, t.State, t.DueAt))]))];
    }

    /// <summary>Who is on call now on each schedule (what <c>GET /api/oncall</c> answers).</summary>
    private static async Task<List<OnCallNow>> OnCallAsync(Sources from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = Instant.FromDateTimeOffset(now);
        var schedules = await ReadSchedules.LoadAsync(from.Db, from.Calendars, null, cancellationToken);
        return [.. schedules.Select(s => OnCallTimeline.WhoIsOnCall(s.Schedule, at) is { } shift
            ? new OnCallNow(s.Row.Name, shift.User, shift.End.ToDateTimeOffset())
            : new OnCallNow(s.Row.Name, null, null))];
    }

    /// <summary>The budget share under which an SLO counts as at risk.</summary>
    public const double LowBudget = 0.25;

    /// <summary>
    /// At risk: less than a quarter of the window's error budget left (or none), or burning as fast as one
    /// of the multi-window burn-rate alert pairs of the SRE workbook (table 5-8: 14.4× over 1 h and 5 m,
    /// 6× over 6 h and 30 m, 1× over 3 d and 6 h) — the same pairs the SLO's generated rules alert on.
    /// </summary>
    public static string? AtRisk(double? budgetRemaining, IReadOnlyList<BurnRateView> burnRates)
    {
        double? Burn(TimeSpan window) => burnRates.FirstOrDefault(b => b.Window == Duration.Format(window))?.BurnRate;
        foreach (var pair in ErrorBudget.Alerts)
        {
            if (Burn(pair.LongWindow) >= pair.Factor && Burn(pair.ShortWindow) >= pair.Factor)
            {
                return string.Create(CultureInfo.InvariantCulture, $"burning {pair.Factor}× over {Duration.Format(pair.LongWindow)} and {Duration.Format(pair.ShortWindow)}");
            }
        }
        return budgetRemaining switch
        {
            <= 0 => "error budget exhausted",
            < LowBudget => string.Create(CultureInfo.InvariantCulture, $"less than {LowBudget:P0} of the error budget left"),
            _ => null,
        };
    }

    /// <summary>The SLO page's standings (<see cref="MeasureSlo.StatusAsync"/>), only those at risk, least budget first.</summary>
    private static async Task<List<SloAtRisk>> SlosAsync(Sources from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var risky = new List<SloAtRisk>();
        foreach (var slo in from.SloCatalog.Slos)
        {
            var status = await from.MeasureSlo.StatusAsync(slo, now, cancellationToken);
            if (AtRisk(status.BudgetRemaining, status.BurnRates) is { } reason)
            {
                risky.Add(new SloAtRisk(slo.Name, slo.Service, status.BudgetRemaining, status.BurnRates.FirstOrDefault(b => b.Window == "1h")?.BurnRate, reason));
            }
        }
        return [.. risky.OrderBy(s => s.BudgetRemaining ?? double.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>The deployments page's list, those created in the last 24 hours.</summary>
    private static async Task<List<RecentDeployment>> DeploymentsAsync(Sources from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - RecentDeployments;
        var recent = await ListDeployments.Query(from.Db).Where(d => d.CreatedAt >= since).Take(50).ToListAsync(cancellationToken);
        return [.. recent.Select(d => new RecentDeployment(d.Id, d.Service, d.Environment, d.Version, d.Status, d.StartedAt ?? d.CreatedAt))];
    }
}
