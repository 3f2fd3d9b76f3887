using Vigil.Configuration;

namespace Vigil.Features.Alerting.Routing;

/// <summary>
/// One entry of <c>maintenance_windows:</c> (and the body of <c>POST /api/maintenance-windows</c>):
/// while it is open, alerts with <c>service</c> = <see cref="Service"/> (and, when set,
/// <c>environment</c> = <see cref="Environment"/>) are muted and uptime leaves the time out.
/// Exactly one of: <see cref="Schedule"/> (the phrase form, <c>every 2nd sunday 02:00-04:00</c>),
/// <see cref="Cron"/> with <see cref="Duration"/>, or <see cref="StartsAt"/> with <see cref="EndsAt"/> (one-off).
/// </summary>
public sealed class MaintenanceWindowDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    [ConfigRequired]
    public string? Service { get; set; }
    public string? Environment { get; set; }
    /// <summary><c>every [1st|2nd|3rd|4th|5th|last] WEEKDAY HH:MM-HH:MM</c> or <c>every day HH:MM-HH:MM</c>, in <see cref="TimeZone"/>.</summary>
    public string? Schedule { get; set; }
    /// <summary>A five-field cron expression for the window's start, in <see cref="TimeZone"/>.</summary>
    public string? Cron { get; set; }
    /// <summary>How long a cron window lasts (<c>2h</c>).</summary>
    public string? Duration { get; set; }
    /// <summary>A one-off window's start and end, RFC 3339 (<c>2026-12-01T22:00:00Z</c>).</summary>
    public string? StartsAt { get; set; }
    public string? EndsAt { get; set; }
    /// <summary>An IANA time zone (<c>Europe/Berlin</c>); default UTC.</summary>
    public string? TimeZone { get; set; }
    public string? Comment { get; set; }
}
