using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;
using Vigil.Hosting;

namespace Vigil.Features.Notifications;

/// <summary>
/// <c>GET /api/notifications?channel=&amp;status=&amp;limit=</c>: outbox messages, newest first, each
/// with its attempts. What a receiver answered can carry whatever the receiver holds, so the
/// response bodies are shown only to those who may send through channels (<c>notifications.test</c>:
/// operators and above); viewers see status codes and errors.
/// </summary>
public static class ReadNotifications
{
    public sealed record AttemptView(DateTimeOffset At, int DurationMs, bool Succeeded, int? StatusCode, string? Response, string? Error);

    public sealed record NotificationView(
        long Id, string Channel, string IdempotencyKey, string GroupKey, string Status, string Title, DateTimeOffset CreatedAt,
        DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, int Attempts, string? LastError, IReadOnlyList<AttemptView> AttemptLog);

    public static async Task<Results<Ok<List<NotificationView>>, ValidationProblem>> List(
        HttpContext context, VigilDbContext db, string? channel, string? status, int? limit, CancellationToken cancellationToken)
    {
        var query = db.Set<OutboxMessage>().AsNoTracking();
        if (!string.IsNullOrEmpty(channel))
        {
            query = query.Where(m => m.Channel == channel);
        }
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<OutboxStatus>(status, ignoreCase: true, out var wanted) || int.TryParse(status, out _))
            {
                return Problems.Field("status", "one of pending, delivered, failed, skipped");
            }
            query = query.Where(m => m.Status == wanted);
        }
        if (limit is < 1 or > 1000)
        {
            return Problems.Field("limit", "between 1 and 1000");
        }
        var views = await ViewsAsync(db, query, limit ?? 100, cancellationToken);
        if (!context.Caller().Has(Permission.NotificationsTest))
        {
            views = [.. views.Select(v => v with { AttemptLog = [.. v.AttemptLog.Select(a => a with { Response = null })] })];
        }
        return TypedResults.Ok(views);
    }

    /// <summary>The newest messages of <paramref name="query"/> with their attempts (the API and the console page).</summary>
    public static async Task<List<NotificationView>> ViewsAsync(VigilDbContext db, IQueryable<OutboxMessage> query, int limit, CancellationToken cancellationToken)
    {
        var messages = await query.OrderByDescending(m => m.Id).Take(limit).ToListAsync(cancellationToken);
        var ids = messages.Select(m => m.Id).ToList();
        var attempts = (await db.Set<DeliveryAttempt>().AsNoTracking().Where(a => ids.Contains(a.MessageId)).OrderBy(a => a.Id).ToListAsync(cancellationToken))
            .ToLookup(a => a.MessageId);
        return [.. messages.Select(m => View(m, attempts[m.Id]))];
    }

    public static NotificationView View(OutboxMessage m, IEnumerable<DeliveryAttempt> attempts) => new(
        m.Id, m.Channel, m.IdempotencyKey, m.GroupKey, m.Status.ToString().ToLowerInvariant(), NotificationRequest.FromJson(m.Payload).ToGroup().Title,
        m.CreatedAt, m.NextAttemptAt, m.DeliveredAt, m.Attempts, m.LastError,
        [.. attempts.Select(a => new AttemptView(a.At, a.DurationMs, a.Succeeded, a.StatusCode, a.Response, a.Error))]);
}
