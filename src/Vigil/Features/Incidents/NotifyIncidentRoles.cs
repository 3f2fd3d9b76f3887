using System.Globalization;
using Vigil.Data;
using Vigil.Features.OnCall.Escalation;

namespace Vigil.Features.Incidents;

/// <summary>
/// Tells the people who hold an incident role, directly on their own contact methods (not a
/// channel): the commander when named, each responder when added, and the commander when the
/// promised status update falls due. The role holder is a user name; someone who is not a user
/// (or has no contact method) is reached only through the routed <c>IncidentUpdateDue</c> alert,
/// and the timeline says so.
/// </summary>
public static class NotifyIncidentRoles
{
    /// <summary>Notifies <paramref name="username"/> that they now hold <paramref name="role"/>; returns the timeline's wording.</summary>
    public static async Task<string> AssignedAsync(
        VigilDbContext db, IPaging? paging, Incident incident, string role, string username, string link, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var title = $"{incident.HumanId} {incident.Severity}: you are {role}";
        var text = $"You are {role} of {incident.HumanId} ({incident.Severity}) {incident.Title}.";
        var key = $"incident/{incident.HumanId}/{role}/{username}/{now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
        return Reached(username, await NotifyAsync(db, paging, incident, username, key, title, text, link, now, cancellationToken));
    }

    /// <summary>Reminds the commander that the promised update is due; returns the timeline's wording.</summary>
    public static async Task<string> UpdateDueAsync(VigilDbContext db, IPaging? paging, Incident incident, string link, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (incident.Commander is not { } commander)
        {
            return "no incident commander: reminding through routing only";
        }
        var title = $"{incident.HumanId}: the promised status update is due";
        var text = $"Post the next status update for {incident.HumanId} ({incident.Severity}) {incident.Title}; it was due at {incident.NextUpdateDueAt:u}.";
        var key = $"incident/{incident.HumanId}/update-due/{incident.NextUpdateDueAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
        return Reached(commander, await NotifyAsync(db, paging, incident, commander, key, title, text, link, now, cancellationToken));
    }

    private static async Task<int> NotifyAsync(
        VigilDbContext db, IPaging? paging, Incident incident, string username, string key, string title, string text, string link, DateTimeOffset now, CancellationToken cancellationToken) =>
        paging is null ? 0
        : await paging.NotifyAsync(db, new PersonalNotice(username, key, title, text, incident.Severity, incident.Services.FirstOrDefault()?.Service, link), now, cancellationToken);

    private static string Reached(string username, int messages) => messages > 0
        ? $"notified {username} directly ({messages} contact method{(messages == 1 ? "" : "s")})"
        : $"{username} is not a user with a contact method: not notified directly";
}
