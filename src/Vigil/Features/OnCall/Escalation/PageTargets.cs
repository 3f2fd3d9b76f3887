using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Vigil.Data;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Outbox;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// Pages one level of a policy: finds who each target is right now (a user, whoever is on call on
/// a schedule, an external contact), and queues one outbox message per contact method and
/// personal notification rule, due after the rule's delay. Returns the <see cref="PageEventKind.Paged"/> events.
/// </summary>
public sealed class PageTargets(PageChannels channels, PageLinks links, ImportedCalendars calendars)
{
    /// <summary>The start of the idempotency key of every message of a page.</summary>
    public static string KeyPrefix(StoredPage page) => $"page/{page.Key}/";

    public async Task<List<PageEvent>> PageLevelAsync(
        VigilDbContext db, StoredPage page, EscalationPolicyDefinition policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var events = new List<PageEvent>();
        var level = page.Level + 1;
        foreach (var target in policy.Levels![page.Level].Targets ?? [])
        {
            var (who, deliveries, problem) = await ResolveAsync(db, target, now, cancellationToken);
            foreach (var (channel, delay) in deliveries)
            {
                Enqueue(db, page, who, channel, delay, now);
            }
            var detail = problem ?? $"paged {who} ({target}) through {deliveries.Count} notification(s) at level {level}";
            events.Add(new PageEvent(page.Subject, PageEventKind.Paged, level, who, null, detail, now));
        }
        return events;
    }

    private async Task<(string Who, List<(string Channel, TimeSpan Delay)> Deliveries, string? Problem)> ResolveAsync(
        VigilDbContext db, EscalationTargetDefinition target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (target.Contact is { } contact)
        {
            var methods = await channels.ExternalAddressesAsync(contact, cancellationToken);
            return (contact, [.. methods.Select(m => (PageChannels.ForContact(contact, m.Type), TimeSpan.Zero))],
                methods.Count == 0 ? $"contact {contact} has no way to be reached (not in contacts: nor a service's contacts)" : null);
        }
        var username = target.User;
        if (target.Schedule is { } scheduleName)
        {
            var schedule = (await ReadSchedules.LoadAsync(db, calendars, scheduleName, cancellationToken)).SingleOrDefault();
            var shift = schedule is null ? null : OnCallTimeline.WhoIsOnCall(schedule.Schedule, Instant.FromDateTimeOffset(now));
            if (shift is null)
            {
                return (scheduleName, [], schedule is null ? $"no schedule named {scheduleName}" : $"nobody is on call on schedule {scheduleName}");
            }
            username = shift.User;
        }
        var deliveries = await DeliveriesOfUserAsync(db, username!, cancellationToken);
        if (deliveries is null)
        {
            return (username!, [], $"no user named {username}");
        }
        return (username!, deliveries, deliveries.Count == 0 ? $"{username} has no contact methods: nobody was notified" : null);
    }

    /// <summary>The deliveries of a user who has not been erased, by name; null when there is no such user.</summary>
    private static async Task<List<(string Channel, TimeSpan Delay)>?> DeliveriesOfUserAsync(VigilDbContext db, string username, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Username == username && u.ErasedAt == null, cancellationToken);
        return user is null ? null : await DeliveriesOfAsync(db, user.Id, cancellationToken);
    }

    /// <summary>Where links in a page point: <c>paging.external_url</c>, else <c>alerting.external_url</c>.</summary>
    private string BaseUrl => channels.Config.Paging.ExternalUrl ?? channels.Config.Alerting.ExternalUrl ?? "";

    /// <summary>A user's personal notification rules; with none, every contact method at once.</summary>
    public static async Task<List<(string Channel, TimeSpan Delay)>> DeliveriesOfAsync(VigilDbContext db, int userId, CancellationToken cancellationToken)
    {
        var methods = await db.Set<ContactMethod>().AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync(cancellationToken);
        var rules = await db.Set<NotificationRule>().AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return rules.Count == 0
            ? [.. methods.Select(id => (PageChannels.ForUser(id), TimeSpan.Zero))]
            : [.. rules.Where(r => methods.Contains(r.ContactMethodId)).Select(r => (PageChannels.ForUser(r.ContactMethodId), r.Delay))];
    }

    private void Enqueue(VigilDbContext db, StoredPage page, string who, string channel, TimeSpan delay, DateTimeOffset now)
    {
        var settings = channels.Config.Paging;
        var baseUrl = BaseUrl;
        var expires = now + delay + settings.LinkLifetime;
        var ack = PageLinks.Url(baseUrl, links.Token(PageAction.Acknowledge, page.Key, who, expires));
        var resolve = PageLinks.Url(baseUrl, links.Token(PageAction.Resolve, page.Key, who, expires));
        var text = Text(page, ack, resolve);
        var labels = LabelsOf("Page", page.Subject, who, page.Title, text, page.Severity, page.Service);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = page.Title,
            ["description"] = page.Body,
            ["acknowledge_url"] = ack,
            ["resolve_url"] = resolve,
        };
        Queue(db, channel, page.Subject, labels, annotations, page.StartedAt, page.Link, baseUrl, $"{KeyPrefix(page)}{page.Cycle}/{page.Level}/{channel}/{(long)delay.TotalSeconds}", delay, now);
    }

    /// <summary>
    /// Queues a <see cref="PersonalNotice"/> to each of the user's contact methods (after their
    /// personal rules' delays). The text is the notice's own, with where to read more; there are no
    /// acknowledge/resolve links because nothing escalates.
    /// </summary>
    public async Task<int> NotifyAsync(VigilDbContext db, PersonalNotice notice, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deliveries = await DeliveriesOfUserAsync(db, notice.Username, cancellationToken);
        if (deliveries is null)
        {
            return 0;
        }
        var baseUrl = BaseUrl;
        var text = notice.Link is null ? notice.Text : $"{notice.Text}\nDetails: {notice.Link}\n";
        foreach (var (channel, delay) in deliveries)
        {
            var labels = LabelsOf("Notice", notice.Key, notice.Username, notice.Title, text, notice.Severity, notice.Service);
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["summary"] = notice.Title, ["description"] = notice.Text };
            Queue(db, channel, notice.Key, labels, annotations, now, notice.Link, baseUrl, $"notice/{notice.Key}/{channel}/{(long)delay.TotalSeconds}", delay, now);
        }
        return deliveries.Count;
    }

    /// <summary>A page channel shows <c>page_title</c> and <c>page_text</c>; the rest route and group like an alert's labels.</summary>
    private static Dictionary<string, string> LabelsOf(string alertname, string subject, string target, string title, string text, string? severity, string? service)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = alertname,
            ["subject"] = subject,
            ["target"] = target,
            [PageChannels.TitleLabel] = title,
            [PageChannels.TextLabel] = text,
        };
        if (severity is not null)
        {
            labels["severity"] = severity;
        }
        if (service is not null)
        {
            labels["service"] = service;
        }
        return labels;
    }

    /// <summary>One outbox message to one page channel; keys longer than the column are hashed.</summary>
    private static void Queue(
        VigilDbContext db, string channel, string subject, Dictionary<string, string> labels, Dictionary<string, string> annotations,
        DateTimeOffset startsAt, string? link, string baseUrl, string key, TimeSpan delay, DateTimeOffset now)
    {
        var request = new NotificationRequest(
            channel, "page", $"page/{subject}", new Dictionary<string, string>(StringComparer.Ordinal) { ["subject"] = subject },
            [new NotificationRequest.Alert(AlertStatus.Firing, labels, annotations, startsAt, null, link ?? "")], baseUrl);
        if (key.Length > 200)
        {
            var slash = key.IndexOf('/', key.IndexOf('/', StringComparison.Ordinal) + 1);
            key = key[..(slash + 1)] + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }
        var message = NotificationOutbox.Enqueue(db, request, key, now);
        message.NextAttemptAt = now + delay;
    }

    /// <summary>What a person reads: the title, severity, service, body, where to read more and the two links.</summary>
    public static string Text(StoredPage page, string acknowledgeUrl, string resolveUrl)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"🚨 {page.Title}\n");
        if (page.Severity is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Severity: {page.Severity}\n");
        }
        if (page.Service is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Service: {page.Service}\n");
        }
        if (page.Body.Length > 0)
        {
            text.Append(page.Body).Append('\n');
        }
        if (page.Link is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Details: {page.Link}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"Acknowledge: {acknowledgeUrl}\n");
        text.Append(CultureInfo.InvariantCulture, $"Resolve: {resolveUrl}\n");
        return text.ToString();
    }
}
