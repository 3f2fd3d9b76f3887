using Vigil.Data;
using Vigil.Features.Alerting.Dispatch;

namespace Vigil.Features.Alerting.Maintenance;

/// <summary>The maintenance windows in force at a moment, for muting.</summary>
public sealed class ActiveMaintenanceSource
{
    public Task<IReadOnlyList<ActiveMaintenance>> ActiveAtAsync(VigilDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ActiveMaintenance>>([]);
}
