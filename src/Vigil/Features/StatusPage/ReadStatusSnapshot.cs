using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Incidents;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Health;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Features.Monitors.Uptime;
using Vigil.Features.Slos;
using Vigil.Metrics.Storage;

namespace Vigil.Features.StatusPage;

/// <summary>
/// Reads what a status page shows: the services' roll-up and the monitors' uptime through the
/// monitors area's own functions (<see cref="GetServiceStatus.ComputeAllAsync"/>,
/// <see cref="GetUptime.ComputeAsync"/>), so the page never disagrees with the monitor pages;
/// incidents and SLOs through their areas' readers when those are registered.
/// </summary>
public static class ReadStatusSnapshot
{
    public const int Days = 90;

    /// <summary>How far back resolved incidents are listed (history and feed).</summary>
    public static readonly TimeSpan HistoryLength = TimeSpan.FromDays(90);

    /// <summary>How long a resolved incident stays on the front page unless the page says <c>show_resolved_for</c>.</summary>
    public static readonly TimeSpan DefaultShowResolvedFor = TimeSpan.FromHours(24);

    /// <summary>How far ahead maintenance openings are announced.</summary>
    public static readonly TimeSpan MaintenanceLookahead = TimeSpan.FromDays(30);

    public static async Task<StatusSnapshot> ReadAsync(StoredStatusPage stored, IServiceProvider services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var page = stored.Definition();
        var db = services.GetRequiredService<VigilDbContext>();
        var states = services.GetRequiredService<MonitorStates>();
        var maintenance = services.GetRequiredService<IMaintenanceCalendar>();
        var samples = services.GetRequiredService<ISampleStore>();
        var settings = services.GetRequiredService<MonitoringOptions>().Settings;

        var monitors = await db.Set<StoredMonitor>().AsNoTracking().ToListAsync(cancellationToken);
        var monitorsByName = monitors.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var serviceStatus = await GetServiceStatus.ComputeAllAsync(db, states, maintenance, now, cancellationToken);

        // Only published incidents, under their public titles: a private one (every incident until
        // someone publishes it, and always a security incident or a drill) is on no page, feed or JSON.
        var incidents = services.GetService<IIncidentReader>() is { } reader
            ? [.. (await reader.ListAsync(now - HistoryLength, cancellationToken)).Where(x => x.Public && x.PublicTitle is not null).Select(x => x with { Title = x.PublicTitle! })]
            : new List<IncidentView>();
        var slos = page.ShowSlo == true ? services.GetService<ISloReader>() : null;

        var openIncidents = incidents.Where(x => x.ResolvedAt is null).ToList();
        var components = new List<ComponentSnapshot>();
        for (var i = 0; i < page.Components.Count; i++)
        {
            var c = page.Components[i];
            var own = c.Monitors.Select(n => monitorsByName.GetValueOrDefault(n)).OfType<StoredMonitor>().ToList();
            var covered = c.Services.ToHashSet(StringComparer.Ordinal);
            covered.UnionWith(own.Select(m => m.Service));
            var inputs = new List<ComponentStatus.MonitorInput>();
            foreach (var m in own)
            {
                var open = await maintenance.WindowsAsync(m.Service, m.Environment, new Interval(now, now.AddTicks(1)), cancellationToken);
                inputs.Add(new(m.Paused ? MonitorStatus.Paused : states.Get(m.Name).Status, open.Any(w => w.Contains(now))));
            }
            var status = ComponentStatus.Of(
                c.Services.Select(s => serviceStatus.TryGetValue(s, out var v) ? v.Status : ServiceStatus.Operational),
                inputs,
                openIncidents.SelectMany(x => x.Services).Where(s => covered.Contains(s.Service)).Select(s => s.Impact));

            // The component's uptime: its own monitors and every monitor of its services, each through the monitor pages' function.
            var measured = own.Concat(monitors.Where(m => c.Services.Contains(m.Service))).DistinctBy(m => m.Name).ToList();
            var reports = new List<GetUptime.UptimeReport>();
            foreach (var m in measured)
            {
                reports.Add(await GetUptime.ComputeAsync(m, new Interval(now - GetUptime.Windows["90d"], now), Days, db, samples, maintenance, settings, now, cancellationToken));
            }
            var updated = measured.Select(m => states.Get(m.Name).Since).OfType<DateTimeOffset>()
                .Concat(openIncidents.Where(x => x.Services.Any(s => covered.Contains(s.Service))).Select(x => x.UpdatedAt))
                .DefaultIfEmpty(stored.UpdatedAt).Max();
            var standings = new List<SloStanding>();
            if (slos is not null)
            {
                foreach (var service in covered.Order(StringComparer.Ordinal))
                {
                    standings.AddRange(await slos.StandingsAsync(service, now, cancellationToken));
                }
            }
            components.Add(new ComponentSnapshot(
                StatusPageRules.ComponentId(c.Name!), c.Name!, c.Group, c.Description, i + 1, status, updated, covered,
                reports.Select(r => r.Percent).OfType<double>().Order().Cast<double?>().FirstOrDefault(),
                Lowest(reports), standings));
        }

        var pageServices = components.SelectMany(c => c.Services).ToHashSet(StringComparer.Ordinal);
        var shown = incidents.Where(x => x.Services.Any(s => pageServices.Contains(s.Service)))
            .Select(x => x with { Updates = [.. x.Updates.Where(u => u.Public)] })
            .OrderByDescending(x => x.OpenedAt).ToList();
        var maintenances = await MaintenancesAsync(db, components, pageServices, now, cancellationToken);
        var changed = components.Select(c => c.UpdatedAt).Append(stored.UpdatedAt).Concat(shown.Select(x => x.UpdatedAt)).Max();
        return new StatusSnapshot(page, now, stored.CreatedAt, changed, components, shown, maintenances);
    }

    /// <summary>Per day, the lowest of the monitors' figures (a bar is never better than any monitor's own page).</summary>
    private static List<GetUptime.DayBar> Lowest(IReadOnlyList<GetUptime.UptimeReport> reports)
    {
        if (reports.Count == 0)
        {
            return [];
        }
        return [.. reports[0].Days.Select((day, i) =>
        {
            var percents = reports.Select(r => r.Days[i].Percent).OfType<double>().ToList();
            return new GetUptime.DayBar(day.Day, percents.Count == 0 ? null : percents.Min(), reports.Max(r => r.Days[i].DownSeconds));
        })];
    }

    /// <summary>Openings of the maintenance windows of the page's services that are in progress or start within the lookahead.</summary>
    private static async Task<List<MaintenanceSnapshot>> MaintenancesAsync(
        VigilDbContext db, IReadOnlyList<ComponentSnapshot> components, IReadOnlySet<string> services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var names = services.ToList();
        var windows = await db.Set<MaintenanceWindow>().AsNoTracking().Where(w => names.Contains(w.Service)).ToListAsync(cancellationToken);
        var result = new List<MaintenanceSnapshot>();
        foreach (var w in windows)
        {
            var schedule = ActiveMaintenanceSource.Schedule(w);
            if (schedule is null)
            {
                continue;
            }
            // From a week back so an opening in progress keeps its real start (Between clips to the range).
            foreach (var opening in schedule.Between(now.AddDays(-7), now + MaintenanceLookahead).Where(o => o.To > now).Take(3))
            {
                result.Add(new MaintenanceSnapshot(
                    $"{w.Name}-{opening.From.ToUnixTimeSeconds()}", w.Name, w.Comment, opening, w.CreatedAt,
                    [.. components.Where(c => c.Services.Contains(w.Service)).Select(c => c.Id)]));
            }
        }
        return [.. result.OrderBy(m => m.When.From).ThenBy(m => m.Name, StringComparer.Ordinal)];
    }
}
