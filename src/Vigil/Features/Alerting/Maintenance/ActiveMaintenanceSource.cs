using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Alerting.Dispatch;
using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Uptime;

namespace Vigil.Features.Alerting.Maintenance;

/// <summary>The maintenance windows in force at a moment, for muting alerts.</summary>
public sealed class ActiveMaintenanceSource
{
    public async Task<IReadOnlyList<ActiveMaintenance>> ActiveAtAsync(VigilDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        ActiveAt(await WindowsAsync(db, cancellationToken), now);

    /// <summary>Every stored window with its compiled schedule.</summary>
    public async Task<List<(MaintenanceWindow Window, WindowSchedule? Schedule)>> WindowsAsync(VigilDbContext db, CancellationToken cancellationToken) =>
        [.. (await db.Set<MaintenanceWindow>().AsNoTracking().ToListAsync(cancellationToken)).Select(w => (w, Schedule(w)))];

    /// <summary>The windows open at <paramref name="now"/>.</summary>
    public static IReadOnlyList<ActiveMaintenance> ActiveAt(IEnumerable<(MaintenanceWindow Window, WindowSchedule? Schedule)> windows, DateTimeOffset now) =>
        [.. windows.Where(w => w.Schedule?.IsOpenAt(now) == true).Select(w => new ActiveMaintenance(w.Window.Name, w.Window.Service, w.Window.Environment))];

    /// <summary>Null for a window that no longer compiles (e.g. its time zone vanished); it then mutes nothing.</summary>
    public static WindowSchedule? Schedule(MaintenanceWindow window) => WindowSchedule.TryCompile(window.ToDefinition(), out _, "");
}

/// <summary>
/// Uptime's view of maintenance (replaces <see cref="NoMaintenance"/>): the windows of the
/// service — those for every environment, and those for the one asked about — inside the range.
/// </summary>
public sealed class MaintenanceCalendar(IServiceScopeFactory scopes) : IMaintenanceCalendar
{
    public async Task<IReadOnlyList<Interval>> WindowsAsync(string service, string? environment, Interval range, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var windows = await db.Set<MaintenanceWindow>().AsNoTracking()
            .Where(w => w.Service == service && (w.Environment == null || w.Environment == environment)).ToListAsync(cancellationToken);
        return [.. windows.SelectMany(w => ActiveMaintenanceSource.Schedule(w)?.Between(range.From, range.To) ?? []).OrderBy(i => i.From)];
    }
}
