using System.Security.Cryptography;
using System.Text;
using Vigil.Configuration;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;

namespace Vigil.Features.Incidents;

/// <summary>
/// <c>POST /api/incidents/{id}/updates</c>: a status update rendered from the seeds' templates,
/// sent to the chosen channels (through the notification outbox) and, when public, shown on the
/// status page. "Next update: 15 minutes" sets when the commander is reminded.
/// </summary>
public static class PostStatusUpdate
{
    public sealed class Request
    {
        /// <summary>initial, update (default) or resolution: which template.</summary>
        public string? Template { get; set; }
        /// <summary>Progress / resolution text (<c>{{ $labels.message }}</c>).</summary>
        public string? Message { get; set; }
        /// <summary>Moves the incident to this state with the update (a lifecycle step).</summary>
        public string? Status { get; set; }
        public string? Eta { get; set; }
        /// <summary>When the next update is promised, e.g. <c>15m</c>.</summary>
        public string? NextUpdate { get; set; }
        public string? RootCause { get; set; }
        public string? PostMortem { get; set; }
        /// <summary>Show it on the status page (default true; only a published incident is on a page at all).</summary>
        public bool? Public { get; set; }
        /// <summary>What the status page says; default <see cref="Message"/>, or Statuspage's default sentence for the status.</summary>
        public string? PublicMessage { get; set; }
        public List<string>? Channels { get; set; }
    }

    public static async Task<IResult> Handle(string id, Request? body, IncidentWorkspace work, HttpContext http, CancellationToken cancellationToken) =>
        (await RunAsync(work, id, body, http.Actor(), cancellationToken)).ToResult(IncidentDetails.Summary);

    public static async Task<IncidentOutcome> RunAsync(IncidentWorkspace work, string id, Request? body, string actor, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return IncidentOutcome.Invalid("body", "a JSON update is required");
        }
        var kind = body.Template ?? (body.Status == IncidentStatus.Resolved ? StatusMessages.Resolution : StatusMessages.Update);
        if (!StatusMessages.Kinds.Contains(kind))
        {
            return IncidentOutcome.Invalid("template", $"use one of {string.Join(", ", StatusMessages.Kinds)}");
        }
        TimeSpan? next = null;
        if (body.NextUpdate is not null)
        {
            if (!Duration.TryParse(body.NextUpdate, out var span) || span <= TimeSpan.Zero)
            {
                return IncidentOutcome.Invalid("next_update", $"invalid duration \"{body.NextUpdate}\": e.g. 15m, 1h");
            }
            next = span;
        }
        var known = work.Config.Channels.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var channels = (body.Channels ?? []).Concat(work.Settings.UpdateChannels).Distinct(StringComparer.Ordinal).ToList();
        if (body.Channels?.FindIndex(c => !known.Contains(c)) is >= 0 and var unknown)
        {
            return IncidentOutcome.Invalid($"channels[{unknown}]", $"no channel named \"{body.Channels[unknown]}\"");
        }
        if (await work.FindAsync(id, cancellationToken) is not { } incident)
        {
            return IncidentOutcome.Missing(id);
        }
        var now = work.Now;
        if (body.Status is { } to && to != incident.Status)
        {
            var verdict = Lifecycle.Transition(incident.Status, to);
            if (verdict != TransitionVerdict.Allowed)
            {
                var reason = Lifecycle.Explain(verdict, incident.Status, to);
                return verdict == TransitionVerdict.UnknownState ? IncidentOutcome.Invalid("status", reason) : IncidentOutcome.Conflict("status", reason);
            }
            await ChangeIncidentStatus.ApplyAsync(work.Db, work.Paging, incident, to, reopen: false, actor, now, fromPage: false, cancellationToken);
        }
        var fields = StatusMessages.FieldsOf(incident, work.Settings, work.Link(incident), now);
        fields["message"] = body.Message;
        fields["eta"] = body.Eta;
        fields["next_update"] = next is { } n ? ChangeIncidentStatus.Text(n) : null;
        fields["root_cause"] = body.RootCause;
        fields["post_mortem"] = body.PostMortem;
        string text;
        try
        {
            text = StatusMessages.Render(StatusMessages.TemplateFor(work.Settings.Templates, kind), fields);
        }
        catch (Templates.TemplateException e)
        {
            return IncidentOutcome.Invalid("template", $"the {kind} template failed: {e.Message}");
        }
        var isPublic = body.Public ?? true;
        var publicText = isPublic ? PublicText(body, incident.Status) : null;
        var update = new IncidentUpdate { IncidentId = incident.Id, Status = incident.Status, Body = text, At = now, Public = isPublic, PublicText = publicText, Author = actor, Channels = channels };
        work.Db.Add(update);
        incident.NextUpdateDueAt = next is { } due && incident.IsOpen ? now + due : null;
        work.Record(incident, "update", actor, $"Status update ({kind}) to {(channels.Count == 0 ? "no channel" : string.Join(", ", channels))}{(update.Public ? " and the status page" : "")}{(next is { } x ? $"; next update in {ChangeIncidentStatus.Text(x)}" : "")}");
        Send(work.Db, channels, incident, kind, text, work.Link(incident), now);
        work.Audit.Record("post_update", "incident", incident.HumanId, new { template = kind, channels });
        await work.CommitAsync(cancellationToken);
        return IncidentOutcome.Done(incident);
    }

    /// <summary>The status page shows the person's words, not the internal template ("📊 INCIDENT UPDATE Incident: #INC-…").</summary>
    public static string PublicText(Request body, string status) =>
        !string.IsNullOrWhiteSpace(body.PublicMessage) ? body.PublicMessage.Trim()
        : !string.IsNullOrWhiteSpace(body.Message) ? body.Message.Trim()
        : StatusMessages.PublicDefault(status);

    /// <summary>Queues the rendered message to each channel, in the caller's unit of work.</summary>
    public static void Send(Data.VigilDbContext db, IEnumerable<string> channels, Incident incident, string kind, string text, string link, DateTimeOffset now)
    {
        foreach (var channel in channels)
        {
            NotificationOutbox.Enqueue(db, Notification(channel, incident, kind, text, link, now), Key(channel, incident, text, now), now);
        }
    }

    /// <summary>An update travels to a channel as one alert named <c>IncidentUpdate</c> whose summary is the update's text.</summary>
    private static NotificationRequest Notification(string channel, Incident incident, string kind, string text, string link, DateTimeOffset now)
    {
        var labels = incident.Services.FirstOrDefault() is { } service
            ? Labels.Of("alertname", "IncidentUpdate", "incident", incident.HumanId, "severity", incident.Severity, "service", service.Service)
            : Labels.Of("alertname", "IncidentUpdate", "incident", incident.HumanId, "severity", incident.Severity);
        var annotations = Labels.Of("summary", text.Split('\n')[0], "description", text, "update", kind);
        var status = kind == StatusMessages.Resolution ? AlertStatus.Resolved : AlertStatus.Firing;
        var group = new NotificationGroup(channel, "{}/incidents", Labels.Of("incident", incident.HumanId), [new NotifiedAlert(status, labels, annotations, incident.OpenedAt, status == AlertStatus.Resolved ? now : null, link)], link);
        return NotificationRequest.For(channel, group, "{}/incidents");
    }

    private static string Key(string channel, Incident incident, string text, DateTimeOffset now) =>
        "incident-update-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{channel}\n{incident.HumanId}\n{now.UtcTicks}\n{text}")));
}
