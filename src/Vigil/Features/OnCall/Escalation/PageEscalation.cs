using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Notifications.Delivery;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// <see cref="IPaging"/>: starts, escalates, acknowledges and resolves pages in the caller's unit
/// of work, puts the notifications in the outbox with them and tells every
/// <see cref="IPageObserver"/> of each event before the caller commits. When the caller commits,
/// the escalation loop and the outbox sender are woken, so nothing waits for a poll.
/// </summary>
public sealed class PageEscalation(
    IEnumerable<IPageObserver> observers, PageTargets targets, EscalationSignal signal, OutboxSender sender, ILogger<PageEscalation> logger) : IPaging
{
    public async Task StartAsync(VigilDbContext db, PageRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await OpenAsync(db, request.Subject, cancellationToken) is not null)
        {
            return;
        }
        var stored = await db.Set<StoredEscalationPolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.Name == request.Policy, cancellationToken)
            ?? throw new InvalidOperationException($"no escalation policy named \"{request.Policy}\"");
        var policy = stored.ReadDefinition();
        var first = EscalationStep.First(policy, now);
        var page = new StoredPage
        {
            Subject = request.Subject,
            Key = Guid.NewGuid().ToString("N"),
            Policy = request.Policy,
            PolicyDefinition = stored.Definition,
            Title = request.Title,
            Body = request.Body,
            Severity = request.Severity,
            Service = request.Service,
            Link = request.Link,
            Status = PageStatus.Triggered,
            Level = first.Level,
            Cycle = first.Cycle,
            NextEscalationAt = first.NextAt,
            StartedAt = now,
        };
        db.Set<StoredPage>().Add(page);
        var events = await targets.PageLevelAsync(db, page, policy, now, cancellationToken);
        await TellAsync(db, events, cancellationToken);
    }

    public Task<int> NotifyAsync(VigilDbContext db, PersonalNotice notice, DateTimeOffset now, CancellationToken cancellationToken) =>
        targets.NotifyAsync(db, notice, now, cancellationToken);

    public Task AcknowledgeAsync(VigilDbContext db, string subject, string actor, DateTimeOffset now, CancellationToken cancellationToken) =>
        RespondAsync(db, subject, PageAction.Acknowledge, actor, now, cancellationToken);

    public Task ResolveAsync(VigilDbContext db, string subject, string actor, DateTimeOffset now, CancellationToken cancellationToken) =>
        RespondAsync(db, subject, PageAction.Resolve, actor, now, cancellationToken);

    /// <summary>Acknowledges or resolves the subject's open page; false when there is none or it was already so.</summary>
    public async Task<bool> RespondAsync(VigilDbContext db, string subject, PageAction action, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var page = await OpenAsync(db, subject, cancellationToken);
        return page is not null && await RespondAsync(db, page, action, actor, now, cancellationToken);
    }

    public async Task<bool> RespondAsync(VigilDbContext db, StoredPage page, PageAction action, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PageEvent pageEvent;
        if (action == PageAction.Acknowledge)
        {
            if (page.Status is PageStatus.Acknowledged or PageStatus.Resolved)
            {
                return false;
            }
            page.Status = PageStatus.Acknowledged;
            page.AcknowledgedAt = now;
            page.AcknowledgedBy = actor;
            if (!EscalationStep.EscalatesWhileAcknowledged(page.ReadPolicy()))
            {
                page.NextEscalationAt = null;
            }
            pageEvent = new PageEvent(page.Subject, PageEventKind.Acknowledged, page.Level + 1, null, actor, $"acknowledged by {actor}", now);
        }
        else
        {
            if (page.Status == PageStatus.Resolved)
            {
                return false;
            }
            page.Status = PageStatus.Resolved;
            page.ResolvedAt = now;
            page.ResolvedBy = actor;
            page.NextEscalationAt = null;
            pageEvent = new PageEvent(page.Subject, PageEventKind.Resolved, page.Level + 1, null, actor, $"resolved by {actor}", now);
        }
        page.Version++;
        await CancelWaitingNotificationsAsync(db, page, now, cancellationToken);
        await TellAsync(db, [pageEvent], cancellationToken);
        return true;
    }

    /// <summary>Moves a due page on (next level, repeat, exhausted); what the escalation loop calls.</summary>
    public async Task EscalateAsync(VigilDbContext db, StoredPage page, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var policy = page.ReadPolicy();
        var step = EscalationStep.Decide(page.Status, page.Level, page.Cycle, page.NextEscalationAt, policy, now);
        var events = new List<PageEvent>();
        switch (step.Kind)
        {
            case StepKind.Wait when step.NextAt == page.NextEscalationAt:
                return;
            case StepKind.Wait:
                page.NextEscalationAt = step.NextAt;
                break;
            case StepKind.PageLevel:
                var waited = Configuration.Duration.Format(policy.Levels![page.Level].Delay ?? TimeSpan.Zero);
                var detail = step.Cycle != page.Cycle
                    ? $"no acknowledgement within {waited} of the last level: starting over (repeat {step.Cycle} of {policy.Repeat})"
                    : $"no acknowledgement within {waited}: escalating to level {step.Level + 1}";
                (page.Level, page.Cycle, page.NextEscalationAt) = (step.Level, step.Cycle, step.NextAt);
                events.Add(new PageEvent(page.Subject, PageEventKind.Escalated, step.Level + 1, null, null, detail, now));
                events.AddRange(await targets.PageLevelAsync(db, page, policy, now, cancellationToken));
                break;
            case StepKind.Exhaust:
                page.Status = PageStatus.Exhausted;
                page.NextEscalationAt = null;
                events.Add(new PageEvent(page.Subject, PageEventKind.Exhausted, page.Level + 1, null, null,
                    $"nobody acknowledged after {policy.Levels!.Count} level(s) and {policy.Repeat} repeat(s)", now));
                logger.LogWarning("Page {Subject} exhausted its escalation policy {Policy} without an acknowledgement", page.Subject, page.Policy);
                break;
        }
        page.Version++;
        await TellAsync(db, events, cancellationToken);
    }

    /// <summary>The subject's page that is not resolved, if any.</summary>
    public static Task<StoredPage?> OpenAsync(VigilDbContext db, string subject, CancellationToken cancellationToken) =>
        db.Set<StoredPage>().Where(p => p.Subject == subject && p.Status != PageStatus.Resolved).OrderByDescending(p => p.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Personal rules that have not fired yet (the email two minutes after the SMS) are not sent once someone responded.</summary>
    private static async Task CancelWaitingNotificationsAsync(VigilDbContext db, StoredPage page, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var prefix = PageTargets.KeyPrefix(page);
        var waiting = await db.Set<Notifications.Outbox.OutboxMessage>()
            .Where(m => m.IdempotencyKey.StartsWith(prefix) && m.Status == Notifications.Outbox.OutboxStatus.Pending && m.NextAttemptAt > now && m.Attempts == 0)
            .ToListAsync(cancellationToken);
        foreach (var message in waiting)
        {
            message.Status = Notifications.Outbox.OutboxStatus.Skipped;
            message.NextAttemptAt = null;
        }
    }

    private async Task TellAsync(VigilDbContext db, IReadOnlyList<PageEvent> events, CancellationToken cancellationToken)
    {
        WakeAfterCommit(db);
        foreach (var pageEvent in events)
        {
            foreach (var observer in observers)
            {
                await observer.OnPageEventAsync(db, pageEvent, cancellationToken);
            }
        }
    }

    // Once per unit of work, whatever number of events it tells (an equal delegate replaces the last).
    // Not a SavedChanges handler hooked once per context, as before: contexts are pooled, so one
    // context serves many units of work, and a per-instance hook does not follow them.
    private void WakeAfterCommit(VigilDbContext db)
    {
        AfterCommit.Remove(db, Wake);
        AfterCommit.Add(db, Wake);
    }

    private void Wake()
    {
        signal.Wake();
        sender.Wake();
    }
}

/// <summary>Wakes the escalation loop when a page changed, so it looks at its next due time again.</summary>
public sealed class EscalationSignal
{
    /// <summary>Set when a page changed; the escalation loop sleeps on it.</summary>
    public Hosting.WakeSignal Changed { get; } = new();

    public void Wake() => Changed.Set();
}
