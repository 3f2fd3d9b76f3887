using Vigil.Configuration;

namespace Vigil.Features.OnCall;

/// <summary>
/// One entry of <c>schedules:</c> in <c>vigil.yaml</c>, and the body of <c>POST /api/schedules</c>:
/// an on-call schedule of rotation layers in one IANA time zone. Layers listed later win over
/// earlier ones where both have someone on call; overrides win over every layer.
/// </summary>
public sealed class ScheduleDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>An IANA zone name (<c>Europe/Berlin</c>); hand-offs and restrictions are local times there.</summary>
    [ConfigRequired]
    public string? TimeZone { get; set; }
    public List<LayerDefinition>? Layers { get; set; }
    public List<OverrideDefinition>? Overrides { get; set; }
}

/// <summary>A rotation of participants, or (rotation <c>ical</c>) the events of a calendar.</summary>
public sealed class LayerDefinition
{
    public string? Name { get; set; }
    /// <summary><c>daily</c>, <c>weekly</c>, <c>custom</c> (with <see cref="Length"/>) or <c>ical</c>.</summary>
    public string? Rotation { get; set; }
    /// <summary>For <c>custom</c>: whole hours or days of local wall-clock time, e.g. <c>12h</c>, <c>3d</c>, <c>1d12h</c>.</summary>
    public string? Length { get; set; }
    /// <summary>Local time of the hand-off, <c>09:00</c>; for <c>weekly</c> a weekday first, <c>mon 09:00</c>.</summary>
    public string? Handoff { get; set; }
    /// <summary>The local date the rotation starts on (first participant's first shift); nobody is on call from this layer before it.</summary>
    public string? Start { get; set; }
    /// <summary>Vigil usernames, in turn order.</summary>
    public List<string>? Participants { get; set; }
    /// <summary>Windows the layer is limited to; outside them lower layers show through.</summary>
    public List<RestrictionDefinition>? Restrictions { get; set; }
    /// <summary>For <c>ical</c>: an http(s) URL of an iCalendar file.</summary>
    public string? Url { get; set; }
    /// <summary>For <c>ical</c>, in <c>vigil.yaml</c> only: a path to an iCalendar file (relative to the config file's directory).</summary>
    public string? File { get; set; }
    /// <summary>For <c>ical</c>: how often to fetch the URL or read the file again (default 15m).</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Refresh { get; set; }
}

/// <summary>On <see cref="Days"/> (<c>mon-fri</c>, <c>sat,sun</c>), from <see cref="From"/> to <see cref="To"/> local time; a <c>to</c> at or before <c>from</c> ends the next day.</summary>
public sealed class RestrictionDefinition
{
    public string? Days { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
}

/// <summary>Someone takes the schedule over for a period: <c>start</c>/<c>end</c> are ISO-8601, local to the schedule's zone unless they carry an offset or <c>Z</c>.</summary>
public sealed class OverrideDefinition
{
    public string? User { get; set; }
    public string? Start { get; set; }
    public string? End { get; set; }
}
