using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.OnCall.Escalation;
using Vigil.Hosting;

namespace Vigil.Features.Incidents;

/// <summary>
/// Keeps each incident's timeline of its pages (who was paged, escalations, exhaustion), and
/// acknowledges or resolves the incident when a responder does so from a page's link. Idempotent:
/// an acknowledgement that started in the incident comes back as an event and changes nothing.
/// </summary>
public sealed class RecordPageEvents(StatusChanges changes) : IPageObserver
{
    public async Task OnPageEventAsync(VigilDbContext db, PageEvent pageEvent, CancellationToken cancellationToken)
    {
        const string prefix = "incident:";
        if (!pageEvent.Subject.StartsWith(prefix, StringComparison.Ordinal))
        {
            return;
        }
        var id = pageEvent.Subject[prefix.Length..];
        var incident = db.Set<Incident>().Local.FirstOrDefault(i => i.HumanId == id)
            ?? await db.Set<Incident>().SingleOrDefaultAsync(i => i.HumanId == id, cancellationToken);
        if (incident is null)
        {
            return;
        }
        var actor = pageEvent.Actor ?? "paging";
        switch (pageEvent.Kind)
        {
            case PageEventKind.Paged:
                IncidentWorkspace.Record(db, incident, "page", null, $"Paged {pageEvent.Target} (level {pageEvent.Level}){Detail(pageEvent)}", pageEvent.At);
                break;
            case PageEventKind.Escalated:
                IncidentWorkspace.Record(db, incident, "page", null, $"Escalated to level {pageEvent.Level}{Detail(pageEvent)}", pageEvent.At);
                break;
            case PageEventKind.Exhausted:
                IncidentWorkspace.Record(db, incident, "page", null, $"Escalation exhausted: nobody acknowledged{Detail(pageEvent)}", pageEvent.At);
                break;
            case PageEventKind.Acknowledged when incident.Status == IncidentStatus.Triggered:
                await ChangeIncidentStatus.ApplyAsync(db, null, incident, IncidentStatus.Acknowledged, reopen: false, actor, pageEvent.At, fromPage: true, cancellationToken);
                break;
            case PageEventKind.Resolved when incident.IsOpen:
                await ChangeIncidentStatus.ApplyAsync(db, null, incident, IncidentStatus.Resolved, reopen: false, actor, pageEvent.At, fromPage: true, cancellationToken);
                break;
            default:
                // An acknowledgement or resolution the incident already has (it started here).
                return;
        }
        AfterCommit.Add(db, changes.Raise);
    }

    private static string Detail(PageEvent e) => string.IsNullOrWhiteSpace(e.Detail) ? "" : $": {e.Detail}";
}
