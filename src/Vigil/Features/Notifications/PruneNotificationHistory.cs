using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;
using Vigil.Hosting;

namespace Vigil.Features.Notifications;

/// <summary>
/// Notifications done with (delivered, given up, skipped) longer than <c>notifications.history_retention</c>
/// ago are deleted with their attempts. A pending one is never deleted, however old.
/// </summary>
public sealed class PruneNotificationHistory(ConfigReloader config) : IHistoryPruner
{
    public string Name => "notification_outbox";

    public async Task<int> PruneAsync(VigilDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - config.Current.Config.Notifications.HistoryRetention;
        var done = db.Set<OutboxMessage>().Where(m => m.Status != OutboxStatus.Pending && m.CreatedAt < cutoff);
        await db.Set<DeliveryAttempt>().Where(a => done.Any(m => m.Id == a.MessageId)).ExecuteDeleteAsync(cancellationToken);
        return await done.ExecuteDeleteAsync(cancellationToken);
    }
}
