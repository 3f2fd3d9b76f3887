using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Hosting;

namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// Alert history (received, notified, resolved) and the rules' state history (pending, firing,
/// inactive) older than <c>routing.history_retention</c> are deleted.
/// </summary>
public sealed class PruneAlertHistory(ConfigReloader config) : IHistoryPruner
{
    public string Name => "alert_history, alert_state_changes";

    public async Task<int> PruneAsync(VigilDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - config.Current.Config.Routing.HistoryRetention;
        return await db.Set<AlertEvent>().Where(e => e.At < cutoff).ExecuteDeleteAsync(cancellationToken)
            + await db.Set<AlertStateChange>().Where(e => e.At < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
