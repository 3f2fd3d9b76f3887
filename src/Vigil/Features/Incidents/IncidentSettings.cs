using Vigil.Configuration;

namespace Vigil.Features.Incidents;

/// <summary>
/// The <c>incidents:</c> section of vigil.yaml: the severity scheme with its response and
/// resolution targets, business calendars, how alerts map to a severity, and the status update
/// templates. Without it the seeds' scheme applies (P1–P4, "Response Times").
/// </summary>
public sealed class IncidentSettings
{
    /// <summary>The severities, most severe first. Empty means <see cref="DefaultSeverities"/>.</summary>
    public List<SeverityDefinition> Severities { get; set; } = [];

    /// <summary>Calendars a severity may count its targets in (business hours only).</summary>
    public List<BusinessCalendarDefinition> BusinessCalendars { get; set; } = [];

    /// <summary>The alert label whose value picks an incident's severity when a route opens one.</summary>
    public string SeverityLabel { get; set; } = "severity";

    /// <summary>
    /// Values of <see cref="SeverityLabel"/> → severity name; values not listed that name a severity
    /// are used as they are. Setting it replaces the default map as a whole.
    /// </summary>
    public Dictionary<string, string> AlertSeverities { get; set; } = new(DefaultAlertSeverities, StringComparer.Ordinal);

    /// <summary>
    /// Every severity Vigil's own alerts carry is mapped: <c>critical</c> and <c>warning</c> (monitors,
    /// certificates, channel failures), <c>page</c> and <c>ticket</c> (the SLO burn-rate alerts, as
    /// Sloth and the SRE workbook name them), <c>none</c> (Watchdog, test alerts); and PagerDuty's
    /// <c>error</c> and <c>info</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DefaultAlertSeverities { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["critical"] = "P1",
        ["page"] = "P2",
        ["high"] = "P2",
        ["error"] = "P2",
        ["warning"] = "P3",
        ["ticket"] = "P3",
        ["medium"] = "P3",
        ["low"] = "P4",
        ["info"] = "P4",
        ["none"] = "P4",
    };

    /// <summary>
    /// The labels whose values make alerts one incident (default: one per service): while it is
    /// open, alerts with the same values join it, whatever their name or route. Empty: one per alert
    /// group of the route.
    /// </summary>
    public List<string> GroupBy { get; set; } = ["service"];

    /// <summary>After an incident opened from alerts resolves, alerts of its key that start within this time join it instead of opening a new one.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The severity of an incident opened from alerts whose severity label maps to nothing.</summary>
    public string DefaultSeverity { get; set; } = "P3";

    /// <summary>The escalation policy that pages when an incident opens, unless its severity names its own.</summary>
    public string? EscalationPolicy { get; set; }

    /// <summary>The share of a target spent at which <c>IncidentSlaAtRisk</c> fires (0.8 = 80 %).</summary>
    public double SlaWarning { get; set; } = 0.8;

    /// <summary>Channels every status update goes to, besides those chosen when posting it.</summary>
    public List<string> UpdateChannels { get; set; } = [];

    /// <summary>The console's address, for links in pages and updates (defaults to <c>routing.external_url</c>).</summary>
    public string? ExternalUrl { get; set; }

    /// <summary>Message templates (Go template syntax as in alert annotations); empty keeps the seeds' wording.</summary>
    public UpdateTemplates Templates { get; set; } = new();

    /// <summary>The seeds' Incident Classification and Response Times.</summary>
    public static IReadOnlyList<SeverityDefinition> DefaultSeverities { get; } =
    [
        new() { Name = "P1", Description = "Critical: service completely down, data loss", Response = TimeSpan.FromMinutes(15), Resolution = TimeSpan.FromHours(1) },
        new() { Name = "P2", Description = "High: major feature unavailable, performance degraded", Response = TimeSpan.FromHours(1), Resolution = TimeSpan.FromHours(4) },
        new() { Name = "P3", Description = "Medium: minor feature issues, non-critical bugs", Response = TimeSpan.FromHours(4), Resolution = TimeSpan.FromHours(24) },
        new() { Name = "P4", Description = "Low: cosmetic issues, enhancement requests", Response = TimeSpan.FromHours(24), Resolution = TimeSpan.FromDays(7) },
    ];

    public IReadOnlyList<SeverityDefinition> EffectiveSeverities => Severities.Count > 0 ? Severities : DefaultSeverities;

    public SeverityDefinition? Severity(string? name) => EffectiveSeverities.FirstOrDefault(s => s.Name == name);

    /// <summary>The severity for alerts carrying these label values (first match among their common labels).</summary>
    public string SeverityForAlert(string? value) =>
        value is null ? DefaultSeverity
        : AlertSeverities.TryGetValue(value, out var mapped) ? mapped
        : Severity(value) is not null ? value
        : DefaultSeverity;
}

public sealed class SeverityDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Target time to acknowledge.</summary>
    public TimeSpan? Response { get; set; }
    /// <summary>Target time to resolve.</summary>
    public TimeSpan? Resolution { get; set; }
    /// <summary>A <c>business_calendars</c> name: the targets count business hours only.</summary>
    public string? BusinessCalendar { get; set; }
    /// <summary>The escalation policy that pages for incidents of this severity (none: the default policy).</summary>
    public string? EscalationPolicy { get; set; }
    /// <summary>Whether opening an incident of this severity pages at all.</summary>
    public bool Page { get; set; } = true;
    /// <summary>Channels told when an incident of this severity opens (the initial message), besides <c>update_channels</c>: the seeds' "SEV-3: Slack notification".</summary>
    public List<string> Channels { get; set; } = [];
}

/// <summary>Working hours in one time zone, and the days off.</summary>
public sealed class BusinessCalendarDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary>An IANA zone name, e.g. <c>Europe/Berlin</c>.</summary>
    [ConfigRequired]
    public string? TimeZone { get; set; }
    /// <summary>Weekday (<c>monday</c> .. <c>sunday</c>) → <c>09:00-17:00</c>; a day not listed is off. Empty: Monday to Friday 09:00-17:00.</summary>
    public Dictionary<string, string> Hours { get; set; } = [];
    /// <summary>Local dates off, <c>2026-12-25</c>.</summary>
    public List<string> Holidays { get; set; } = [];
}

/// <summary>The seeds' "Communication Templates"; each is rendered with the incident's fields (<c>{{ .ID }}</c>, <c>{{ .Severity }}</c>, ...).</summary>
public sealed class UpdateTemplates
{
    public string? Initial { get; set; }
    public string? Update { get; set; }
    public string? Resolution { get; set; }
}
