using Vigil.Data;
using Vigil.Features.Monitors;
using Vigil.Features.OnCall.Escalation;

namespace Vigil.Hosting;

/// <summary>
/// The log lines an operator reads: one structured line per monitor state change, alert firing or
/// resolved, incident opened/acknowledged/resolved, page sent, and notification delivered, failed
/// or given up. Each has a stable event id and name (the <c>EventId</c> of <c>--log-format json</c>)
/// and named fields, so a log shipper can filter on them. The areas call these from where the
/// event happens.
/// </summary>
public static partial class OperatorLog
{
    [LoggerMessage(EventId = 1001, EventName = "MonitorStateChanged", Message = "Monitor {Monitor} of service {Service} is {To} (was {From}): {Reason}")]
    public static partial void MonitorStateChanged(ILogger logger, LogLevel level, string monitor, string service, MonitorStatus to, MonitorStatus from, string reason);

    /// <summary>Down is a warning; every other state (up, degraded, paused) is information.</summary>
    public static void MonitorStateChanged(ILogger logger, MonitorStateChanged change) =>
        MonitorStateChanged(logger, change.To == MonitorStatus.Down ? LogLevel.Warning : LogLevel.Information, change.Monitor, change.Service, change.To, change.From, change.Reason);

    [LoggerMessage(EventId = 1101, EventName = "AlertFiring", Level = LogLevel.Warning, Message = "Alert {Alertname} is firing: {Labels}")]
    public static partial void AlertFiring(ILogger logger, string alertname, string labels);

    [LoggerMessage(EventId = 1102, EventName = "AlertResolved", Level = LogLevel.Information, Message = "Alert {Alertname} is resolved: {Labels}")]
    public static partial void AlertResolved(ILogger logger, string alertname, string labels);

    /// <summary>The alert's transition, if it made one (firing to resolved or back); nothing when it stays as it was.</summary>
    public static void AlertChanged(ILogger logger, Metrics.Labels labels, bool wasFiring, bool isFiring)
    {
        if (wasFiring == isFiring)
        {
            return;
        }
        var name = labels.Get("alertname");
        if (isFiring)
        {
            AlertFiring(logger, name, labels.ToString());
        }
        else
        {
            AlertResolved(logger, name, labels.ToString());
        }
    }

    [LoggerMessage(EventId = 1201, EventName = "IncidentOpened", Level = LogLevel.Warning, Message = "Incident {Incident} opened by {Actor} as {Severity}: {Title}")]
    public static partial void IncidentOpened(ILogger logger, string incident, string? actor, string severity, string title);

    [LoggerMessage(EventId = 1202, EventName = "IncidentAcknowledged", Level = LogLevel.Information, Message = "Incident {Incident} acknowledged by {Actor}: {Title}")]
    public static partial void IncidentAcknowledged(ILogger logger, string incident, string? actor, string title);

    [LoggerMessage(EventId = 1203, EventName = "IncidentResolved", Level = LogLevel.Information, Message = "Incident {Incident} resolved by {Actor}: {Title}")]
    public static partial void IncidentResolved(ILogger logger, string incident, string? actor, string title);

    /// <summary>For an incident timeline entry of kind opened, acknowledged or resolved; other kinds are not logged.</summary>
    public static void IncidentChanged(VigilDbContext db, Features.Incidents.Incident incident, string kind, string? actor)
    {
        if (kind is not ("opened" or "acknowledged" or "resolved"))
        {
            return;
        }
        // The application's logger factory, which the database context was built with.
        var logger = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<ILoggerFactory>(db).CreateLogger("Vigil.Incidents");
        switch (kind)
        {
            case "opened":
                IncidentOpened(logger, incident.HumanId, actor, incident.Severity, incident.Title);
                break;
            case "acknowledged":
                IncidentAcknowledged(logger, incident.HumanId, actor, incident.Title);
                break;
            default:
                IncidentResolved(logger, incident.HumanId, actor, incident.Title);
                break;
        }
    }

    [LoggerMessage(EventId = 1301, EventName = "PageSent", Level = LogLevel.Information, Message = "Page {Subject} sent to {Target} (escalation level {Level}): {Detail}")]
    public static partial void PageSent(ILogger logger, string subject, string? target, int level, string detail);

    [LoggerMessage(EventId = 1401, EventName = "NotificationDelivered", Level = LogLevel.Information, Message = "Notification {Id} delivered to channel {Channel} (attempt {Attempt})")]
    public static partial void NotificationDelivered(ILogger logger, long id, string channel, int attempt);

    [LoggerMessage(EventId = 1402, EventName = "NotificationFailed", Level = LogLevel.Warning, Message = "Notification {Id} to channel {Channel} failed (attempt {Attempt}), next attempt at {NextAttempt:O}: {Error}")]
    public static partial void NotificationFailed(ILogger logger, long id, string channel, int attempt, DateTimeOffset? nextAttempt, string? error);

    [LoggerMessage(EventId = 1403, EventName = "NotificationGivenUp", Level = LogLevel.Error, Message = "Notification {Id} to channel {Channel} given up after {Attempt} attempts: {Error}")]
    public static partial void NotificationGivenUp(ILogger logger, long id, string channel, int attempt, string? error);

    /// <summary>Logs every page sent (each person or contact paged), as an observer of page events.</summary>
    public sealed class PageEvents(ILogger<PageEvents> logger) : IPageObserver
    {
        public Task OnPageEventAsync(VigilDbContext db, PageEvent pageEvent, CancellationToken cancellationToken)
        {
            if (pageEvent.Kind == PageEventKind.Paged)
            {
                PageSent(logger, pageEvent.Subject, pageEvent.Target, pageEvent.Level, pageEvent.Detail);
            }
            return Task.CompletedTask;
        }
    }
}
