using Vigil.Data;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// What to page about. <see cref="Subject"/> names the thing being paged for and is the key of
/// its escalation: the incidents area pages with <c>incident:&lt;id&gt;</c>; paging the same
/// subject again while it escalates changes nothing.
/// </summary>
/// <param name="Policy">The escalation policy's name (config or API).</param>
/// <param name="Title">One line, e.g. "INC-2026-001 P1 checkout: High error rate".</param>
/// <param name="Body">The message text the contact methods carry.</param>
/// <param name="Severity">The incident's severity (P1..P4), when there is one.</param>
/// <param name="Link">Where the responder reads more (the incident in the console).</param>
public sealed record PageRequest(string Subject, string Policy, string Title, string Body, string? Severity, string? Service, string? Link);

/// <summary>
/// A message to one person, outside any escalation: an incident's commander reminded that the
/// promised update is due, a responder told they were added. It reaches the user's contact
/// methods (through their personal notification rules) like a page, but nothing escalates and
/// there is nothing to acknowledge.
/// </summary>
/// <param name="Username">The user's name; a name that is no user reaches nobody (the caller records that).</param>
/// <param name="Key">Unique per notice (the idempotency key's stem): the same notice queued twice is sent once.</param>
public sealed record PersonalNotice(string Username, string Key, string Title, string Text, string? Severity, string? Service, string? Link);

/// <summary>
/// The on-call area's entry point for paging people through an escalation policy. Every call
/// works in the caller's unit of work (<paramref name="db"/>) and takes effect when the caller
/// commits, so an incident and its page are stored together or not at all.
/// </summary>
public interface IPaging
{
    /// <summary>Starts escalating <see cref="PageRequest.Subject"/> at the policy's first level; a subject already escalating is left alone.</summary>
    Task StartAsync(VigilDbContext db, PageRequest request, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Someone acknowledged: escalation stops (unless the policy escalates until resolved). Idempotent.</summary>
    Task AcknowledgeAsync(VigilDbContext db, string subject, string actor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The subject is resolved: escalation ends for good. Idempotent.</summary>
    Task ResolveAsync(VigilDbContext db, string subject, string actor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Queues <paramref name="notice"/> to the user's contact methods in the caller's unit of work; returns how many messages were queued (0: no such user, or no contact method).</summary>
    Task<int> NotifyAsync(VigilDbContext db, PersonalNotice notice, DateTimeOffset now, CancellationToken cancellationToken);
}

public enum PageEventKind
{
    /// <summary>A person or contact was paged (one event per target per level).</summary>
    Paged,
    /// <summary>Escalation moved to the next level (or repeated the policy) because nobody acknowledged in time.</summary>
    Escalated,
    /// <summary>A responder acknowledged — through the console, API, CLI or the signed link in a page.</summary>
    Acknowledged,
    /// <summary>A responder resolved from a page's link, or the subject was resolved.</summary>
    Resolved,
    /// <summary>Every level and repeat was used and nobody acknowledged.</summary>
    Exhausted,
}

/// <param name="Level">1-based escalation level the event belongs to (0 when none).</param>
/// <param name="Target">Who was paged (user name, schedule → user, or external contact), when the event is about a target.</param>
/// <param name="Actor">Who acknowledged or resolved, when a person did.</param>
public sealed record PageEvent(string Subject, PageEventKind Kind, int Level, string? Target, string? Actor, string Detail, DateTimeOffset At);

/// <summary>
/// Told of every page event, inside the same unit of work as the event. The incidents area
/// implements it to keep the incident's timeline and to acknowledge or resolve the incident when
/// a responder does so from a page (the one-click link). Implementations must be idempotent: an
/// acknowledgement that started in the incident comes back here as an event too.
/// </summary>
public interface IPageObserver
{
    Task OnPageEventAsync(VigilDbContext db, PageEvent pageEvent, CancellationToken cancellationToken);
}
