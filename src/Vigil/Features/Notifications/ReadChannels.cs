using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Notifications.Delivery;
using Vigil.Features.Notifications.Outbox;

namespace Vigil.Features.Notifications;

/// <summary><c>GET /api/channels</c>: the configured channels (no secrets) and how delivery to each is going.</summary>
public static class ReadChannels
{
    public sealed record ChannelView(
        string Name, string Type, string? Target, bool SendResolved, int RateLimit, string Timeout, string? Fallback,
        DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, string? LastError, int Pending, bool Failing);

    public static async Task<Ok<List<ChannelView>>> List(VigilDbContext db, ChannelDirectory directory, CancellationToken cancellationToken)
    {
        var attempts = db.Set<DeliveryAttempt>();
        var successes = await attempts.Where(a => a.Succeeded).GroupBy(a => a.Channel).Select(g => new { g.Key, Id = g.Max(a => a.Id) }).ToDictionaryAsync(x => x.Key, x => x.Id, cancellationToken);
        var failures = await attempts.Where(a => !a.Succeeded).GroupBy(a => a.Channel).Select(g => new { g.Key, Id = g.Max(a => a.Id) }).ToDictionaryAsync(x => x.Key, x => x.Id, cancellationToken);
        var ids = successes.Values.Concat(failures.Values).ToList();
        var last = await attempts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        var pending = await db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending).GroupBy(m => m.Channel)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var views = directory.Channels.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c =>
        {
            var success = successes.TryGetValue(c.Name!, out var s) ? last[s] : null;
            var failure = failures.TryGetValue(c.Name!, out var f) ? last[f] : null;
            return new ChannelView(c.Name!, c.Type!, Target(c), c.SendResolved, c.RateLimit, Configuration.Duration.Format(c.Timeout), c.Fallback,
                success?.At, failure?.At, failure is not null && (success is null || failure.Id > success.Id) ? failure.Error : null,
                pending.GetValueOrDefault(c.Name!), directory.HealthOf(c.Name!).Failing);
        }).ToList();
        return TypedResults.Ok(views);
    }

    /// <summary>Where it sends, without credentials: the URL's scheme, host and port, the SMTP host, the recipients.</summary>
    private static string? Target(Channels.ChannelDefinition c) => c.Type switch
    {
        "email" => $"{c.To} via {c.Smarthost}",
        "sms" => c.To,
        "slack" when c.Channel is not null => c.Channel,
        _ when Uri.TryCreate(c.Url ?? (c.Type == "pagerduty" ? Channels.PagerDutyChannel.EventsUrl : null), UriKind.Absolute, out var uri) => uri.GetLeftPart(UriPartial.Authority),
        _ => null,
    };
}
