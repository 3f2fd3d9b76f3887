using System.Globalization;
using Vigil.Data;
using Vigil.Features.OnCall.Escalation;

namespace Vigil.Features.Incidents;

/// <summary>
/// <c>POST /api/incidents/{id}/transition</c>, <c>/ack</c>, <c>/resolve</c>, <c>/reopen</c>: moves an
/// incident along its lifecycle (<see cref="Lifecycle"/>). The first step out of triggered is the
/// acknowledgement (who and when: time to acknowledge); acknowledging and resolving stop paging.
/// </summary>
public static class ChangeIncidentStatus
{
    public sealed class Request
    {
        public string? Status { get; set; }
        /// <summary>A note recorded on the timeline with the change.</summary>
        public string? Note { get; set; }
    }

    public static async Task<IResult> Transition(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, body?.Status, reopen: false, body?.Note, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IResult> Acknowledge(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, IncidentStatus.Acknowledged, reopen: false, body?.Note, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IResult> Resolve(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, IncidentStatus.Resolved, reopen: false, body?.Note, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IResult> Reopen(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, body?.Status ?? IncidentStatus.Triggered, reopen: true, body?.Note, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IncidentOutcome> RunAsync(IncidentWorkspace work, string id, string? to, bool reopen, string? note, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(to))
        {
            return IncidentOutcome.Invalid("status", $"the state to move to is required: one of {string.Join(", ", IncidentStatus.All)}");
        }
        var incident = await work.FindAsync(id, cancellationToken);
        if (incident is null)
        {
            return IncidentOutcome.Missing(id);
        }
        var from = incident.Status;
        var verdict = reopen ? Lifecycle.Reopen(from, to) : Lifecycle.Transition(from, to);
        if (verdict == TransitionVerdict.UnknownState)
        {
            return IncidentOutcome.Invalid("status", Lifecycle.Explain(verdict, from, to));
        }
        if (verdict != TransitionVerdict.Allowed)
        {
            return IncidentOutcome.Conflict("status", Lifecycle.Explain(verdict, from, to));
        }
        await ApplyAsync(work.Db, work.Paging, incident, to, reopen, actor, work.Now, fromPage: false, cancellationToken);
        if (!string.IsNullOrWhiteSpace(note))
        {
            work.Record(incident, "note", actor, note.Trim());
        }
        var action = reopen ? "reopen" : to switch
        {
            IncidentStatus.Acknowledged => "acknowledge",
            IncidentStatus.Resolved => "resolve",
            _ => "transition",
        };
        work.Audit.Record(action, "incident", incident.HumanId, new { from, to });
        await work.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }

    /// <summary>Changes the state (already judged allowed) and writes its timeline rows; tells paging unless the change came from a page.</summary>
    public static async Task ApplyAsync(VigilDbContext db, IPaging? paging, Incident incident, string to, bool reopen, string actor, DateTimeOffset now, bool fromPage, CancellationToken cancellationToken)
    {
        var from = incident.Status;
        incident.Status = to;
        var acknowledges = !reopen && incident.AcknowledgedAt is null && to != IncidentStatus.Resolved;
        if (acknowledges)
        {
            incident.AcknowledgedAt = now;
            incident.AcknowledgedBy = actor;
            IncidentWorkspace.Record(db, incident, "acknowledged", actor, $"Acknowledged by {actor} after {Text(now - incident.OpenedAt)}{(fromPage ? " (from a page)" : "")}", now);
        }
        if (reopen)
        {
            incident.ResolvedAt = null;
            incident.ResolvedBy = null;
            IncidentWorkspace.Record(db, incident, "reopened", actor, $"Reopened as {to}", now);
        }
        else if (to == IncidentStatus.Resolved)
        {
            incident.ResolvedAt = now;
            incident.ResolvedBy = actor;
            incident.NextUpdateDueAt = null;
            IncidentWorkspace.Record(db, incident, "resolved", actor, $"Resolved by {actor} after {Text(now - incident.OpenedAt)}{(fromPage ? " (from a page)" : "")}", now);
        }
        else if (to != IncidentStatus.Acknowledged)
        {
            IncidentWorkspace.Record(db, incident, "status", actor, $"{from} → {to}", now);
        }
        if (paging is null || fromPage)
        {
            return;
        }
        if (acknowledges)
        {
            await paging.AcknowledgeAsync(db, incident.PageSubject, actor, now, cancellationToken);
        }
        if (to == IncidentStatus.Resolved)
        {
            await paging.ResolveAsync(db, incident.PageSubject, actor, now, cancellationToken);
        }
    }

    /// <summary>A duration as the seeds write it: "45 minutes", "2 h 5 min", "3 d 4 h".</summary>
    public static string Text(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return $"{Math.Max(0, (int)span.TotalSeconds).ToString(CultureInfo.InvariantCulture)} seconds";
        }
        if (span < TimeSpan.FromHours(1))
        {
            var minutes = (int)span.TotalMinutes;
            return minutes == 1 ? "1 minute" : $"{minutes.ToString(CultureInfo.InvariantCulture)} minutes";
        }
        if (span < TimeSpan.FromDays(1))
        {
            return span.Minutes == 0 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalHours} h {span.Minutes} min";
        }
        return span.Hours == 0 ? $"{(int)span.TotalDays} d" : $"{(int)span.TotalDays} d {span.Hours} h";
    }
}
