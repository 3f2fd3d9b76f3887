using Vigil.Features.Monitors.Uptime;

namespace Vigil.Features.Monitors;

/// <summary>
/// Maintenance windows that cover a service, for uptime and roll-up. The maintenance slice will
/// provide the real one; until then <see cref="NoMaintenance"/> says there are none.
/// </summary>
public interface IMaintenanceCalendar
{
    Task<IReadOnlyList<Interval>> WindowsAsync(string service, string? environment, Interval range, CancellationToken cancellationToken);
}

public sealed class NoMaintenance : IMaintenanceCalendar
{
    public Task<IReadOnlyList<Interval>> WindowsAsync(string service, string? environment, Interval range, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Interval>>([]);
}
