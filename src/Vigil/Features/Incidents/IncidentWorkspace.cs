using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.OnCall.Escalation;
using Vigil.Hosting;

namespace Vigil.Features.Incidents;

/// <summary>
/// What every incident use case works with, for one request (API or console): the database,
/// the audit log, the clock, the settings, optional paging, and the status page's change signal.
/// </summary>
public sealed class IncidentWorkspace(VigilDbContext db, AuditLog audit, TimeProvider clock, ConfigReloader config, StatusChanges changes, IServiceProvider services)
{
    public VigilDbContext Db => db;
    public AuditLog Audit => audit;
    public DateTimeOffset Now => clock.GetUtcNow();
    public IncidentSettings Settings => config.Current.Config.Incidents;
    public VigilConfig Config => config.Current.Config;

    /// <summary>Escalation, when the on-call area provides it.</summary>
    public IPaging? Paging => services.GetService<IPaging>();

    /// <summary>SLO standings, when the SLO area provides them (error budget an incident consumed).</summary>
    public Slos.ISloReader? Slos => services.GetService<Slos.ISloReader>();

    public Task<Incident?> FindAsync(string id, CancellationToken cancellationToken) =>
        db.Set<Incident>().SingleOrDefaultAsync(i => i.HumanId == id, cancellationToken);

    /// <summary>Adds a timeline row in the current unit of work.</summary>
    public static void Record(VigilDbContext db, Incident incident, string kind, string? actor, string text, DateTimeOffset at, string? reference = null)
    {
        db.Add(new IncidentEvent { Incident = incident, Kind = kind, Actor = actor, Text = text, At = at, Ref = reference });
        Hosting.OperatorLog.IncidentChanged(db, incident, kind, actor);
        incident.UpdatedAt = at;
    }

    public void Record(Incident incident, string kind, string? actor, string text, string? reference = null) =>
        Record(db, incident, kind, actor, text, Now, reference);

    /// <summary>Saves, then tells the status page.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        AfterCommit.Add(db, changes.Raise);
        await db.SaveChangesAsync(cancellationToken);
    }

    public BusinessCalendar? CalendarFor(string severity) => CalendarFor(Settings, severity);

    public static BusinessCalendar? CalendarFor(IncidentSettings settings, string severity) =>
        settings.Severity(severity)?.BusinessCalendar is { } name && settings.BusinessCalendars.FirstOrDefault(c => c.Name == name) is { } definition
            ? BusinessCalendar.From(definition).Calendar
            : null;

    public string Link(Incident incident) => LinkOf(Config, incident);

    /// <summary>The incident's console page, absolute when <c>incidents.external_url</c> or <c>routing.external_url</c> is set.</summary>
    public static string LinkOf(VigilConfig config, Incident incident) =>
        $"{(config.Incidents.ExternalUrl ?? config.Routing.ExternalUrl).TrimEnd('/')}/incidents/{incident.HumanId}";
}

/// <summary>The result of a use case: the incident it changed, or why nothing changed.</summary>
public sealed record IncidentOutcome(Incident? Incident, int Status, string? Field = null, string? Reason = null)
{
    public static IncidentOutcome Done(Incident incident) => new(incident, StatusCodes.Status200OK);

    public static IncidentOutcome Missing(string id) => new(null, StatusCodes.Status404NotFound, null, $"no incident {id}");

    public static IncidentOutcome Invalid(string field, string reason) => new(null, StatusCodes.Status400BadRequest, field, reason);

    /// <summary>The request is well formed but the incident's state does not allow it (a lifecycle step it does not have).</summary>
    public static IncidentOutcome Conflict(string field, string reason) => new(null, StatusCodes.Status409Conflict, field, reason);

    public bool Succeeded => Incident is not null;

    public string Message => Field is null ? Reason ?? "" : $"{Field}: {Reason}";

    public IResult ToResult(Func<Incident, object> view, bool created = false) => Status switch
    {
        StatusCodes.Status200OK when created => TypedResults.Created($"/api/incidents/{Incident!.HumanId}", view(Incident)),
        StatusCodes.Status200OK => TypedResults.Ok(view(Incident!)),
        StatusCodes.Status404NotFound => Hosting.Problems.NotFound(Reason!),
        StatusCodes.Status400BadRequest => Hosting.Problems.Field(Field!, Reason!),
        _ => TypedResults.Problem(
            statusCode: Status,
            title: "Not allowed in the incident's current state",
            detail: Message,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [Field!] = [Reason!] } }),
    };
}

public static class IncidentCaller
{
    /// <summary>The name the timeline shows for who did something.</summary>
    public static string Actor(this HttpContext? context) => context?.Caller().Username ?? Caller.System.Username!;
}
