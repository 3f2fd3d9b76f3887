using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Notifications;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Maintenance;

/// <summary>
/// With <c>routing.maintenance_notices: true</c>, maintenance windows announce themselves through
/// routing as low-priority notices (the seeds' "Low Priority: ... scheduled maintenance"):
/// <c>MaintenanceScheduled</c> for an hour after a window is created or changed (until it opens,
/// if that is sooner) and <c>MaintenanceStarted</c> while it is open. Both are alerts with an end,
/// labelled <c>category="maintenance"</c>, <c>severity="info"</c>, the window's <c>service</c>
/// (and <c>environment</c>) and <c>maintenance_window</c>; the window never mutes them and
/// dependency suppression leaves them alone, so a route matching <c>category="maintenance"</c>
/// decides who hears them.
/// </summary>
public sealed class AnnounceMaintenance(
    IServiceScopeFactory scopes, IServiceProvider services, ConfigReloader config, TimeProvider clock, ILogger<AnnounceMaintenance> logger) : BackgroundService
{
    /// <summary>Over several replicas only this lease's holder announces.</summary>
    public const string Lease = "maintenance/announce";
    /// <summary>The <c>category</c> label of the notices; a window never mutes them.</summary>
    public const string Category = "maintenance";

    /// <summary>How long a window's MaintenanceScheduled notice fires after it was created or changed.</summary>
    public static readonly TimeSpan ScheduledNotice = TimeSpan.FromHours(1);

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);
    private readonly HashSet<(string, DateTimeOffset)> announced = [];

    /// <summary>The notices a window gives at <paramref name="now"/>: none, scheduled, or started.</summary>
    public static IReadOnlyList<IncomingAlert> Notices(MaintenanceWindow window, WindowSchedule schedule, DateTimeOffset now)
    {
        var labels = Labels.Of("category", Category, "maintenance_window", window.Name, "service", window.Service, "severity", "info");
        if (window.Environment is { Length: > 0 } environment)
        {
            labels = labels.With("environment", environment);
        }
        var where = window.Environment is { Length: > 0 } e ? $"{window.Service} ({e})" : window.Service;
        if (schedule.OpeningAt(now) is { } open)
        {
            return [new IncomingAlert(labels.With("alertname", "MaintenanceStarted"),
                Labels.Of("summary", $"Maintenance {window.Name} of {where} has started; it ends {open.To:yyyy-MM-dd HH:mm} UTC", "description", window.Comment ?? ""),
                open.From, open.To, $"/api/maintenance-windows/{Uri.EscapeDataString(window.Name)}", "maintenance")];
        }
        var next = schedule.Next(now, 1);
        var ends = window.UpdatedAt + ScheduledNotice;
        if (next.Count == 0 || now >= ends)
        {
            return [];
        }
        return [new IncomingAlert(labels.With("alertname", "MaintenanceScheduled"),
            Labels.Of("summary", $"Maintenance {window.Name} of {where} is scheduled: {next[0].From:yyyy-MM-dd HH:mm} to {next[0].To:yyyy-MM-dd HH:mm} UTC", "description", window.Comment ?? ""),
            window.UpdatedAt, next[0].From < ends ? next[0].From : ends, $"/api/maintenance-windows/{Uri.EscapeDataString(window.Name)}", "maintenance")];
    }

    /// <summary>Hands the notices due now to the dispatcher, each once (it ends by itself).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!config.Current.Config.Routing.MaintenanceNotices)
        {
            return;
        }
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var windows = await db.Set<MaintenanceWindow>().AsNoTracking().ToListAsync(cancellationToken);
        var due = new List<IncomingAlert>();
        lock (announced)
        {
            foreach (var window in windows)
            {
                if (ActiveMaintenanceSource.Schedule(window) is { } schedule)
                {
                    due.AddRange(Notices(window, schedule, now).Where(n => announced.Add((AlertFingerprint.Of(n.Labels), n.StartsAt!.Value))));
                }
            }
        }
        if (due.Count > 0)
        {
            await services.GetRequiredService<IAlertIngest>().PutAsync(due, cancellationToken);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        services.GetRequiredService<Cluster.ClusterMembership>().RunEveryAsync(
            Lease, Tick, RunOnceAsync, clock, logger, "Could not announce maintenance windows; trying again at the next pass", stoppingToken);
}
