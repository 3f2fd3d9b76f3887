using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;
using Vigil.Configuration;

namespace Vigil.Features.OnCall;

/// <summary>
/// The rules a schedule definition must follow, shared by config validation and the API, and the
/// one place a definition becomes a <see cref="Schedule"/>. Errors are addressed by path
/// (<c>layers[0].handoff</c>).
/// </summary>
public static partial class ScheduleRules
{
    /// <summary>The calendar feeds a schedule's layers import, by path, for the outbound policy.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(ScheduleDefinition schedule, string prefix)
    {
        var layers = schedule.Layers ?? [];
        for (var j = 0; j < layers.Count; j++)
        {
            if (layers[j].Url is { } url)
            {
                yield return ($"{prefix}layers[{j}].url", url, true);
            }
        }
    }

    /// <summary>Every schedule's calendar feeds in the file.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(VigilConfig config) =>
        config.Schedules.SelectMany((schedule, i) => Destinations(schedule, $"schedules[{i}]."));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LengthPattern();

    [GeneratedRegex(@"^(?:([a-z]{3})\s+)?(\d{1,2}:\d{2})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex HandoffPattern();

    [GeneratedRegex(@"T.*(Z|[+-]\d{2}(:?\d{2})?)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex OffsetSuffix();

    private static readonly LocalDateTimePattern[] LocalMoments =
    [
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm"),
        LocalDateTimePattern.ExtendedIso,
    ];

    public const string NameRule = "must be 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit";

    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>Every schedule of <c>schedules:</c>, and that their names are unique.</summary>
    public static IEnumerable<FieldError> ValidateConfig(List<ScheduleDefinition> schedules)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < schedules.Count; i++)
        {
            if (schedules[i].Name is { } name && !names.Add(name))
            {
                yield return new($"schedules[{i}].name", $"duplicate schedule name \"{name}\"");
            }
            foreach (var error in Validate(schedules[i], $"schedules[{i}]."))
            {
                yield return error;
            }
            var layers = schedules[i].Layers ?? [];
            for (var j = 0; j < layers.Count; j++)
            {
                if (layers[j] is { Rotation: "ical", File: { } file } && CheckCalendarFile(file) is { } reason)
                {
                    yield return new($"schedules[{i}].layers[{j}].file", reason);
                }
            }
        }
    }

    /// <summary>
    /// Why a calendar file named in <c>vigil.yaml</c> cannot be used (missing, unreadable, not
    /// iCalendar), or null. Checked when the file is loaded, so <c>vigil config check</c> and a reload
    /// say so; a file that goes bad later is only logged by the refresher, which keeps the last events.
    /// </summary>
    private static string? CheckCalendarFile(string path)
    {
        try
        {
            ReadCalendarShifts.Parse(File.ReadAllText(path));
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"no such file: {path}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return $"cannot read {path}: {e.Message}";
        }
    }

    public static IEnumerable<FieldError> Validate(ScheduleDefinition definition, string prefix)
    {
        var errors = new List<FieldError>();
        Build(definition, prefix, errors, static (_, _) => []);
        return errors;
    }

    /// <summary>The schedule a valid definition describes; null (with <paramref name="errors"/> filled) when it is not valid.</summary>
    /// <param name="calendarEvents">The events last read for an <c>ical</c> layer, by schedule name and layer index.</param>
    public static Schedule? Build(
        ScheduleDefinition d, string prefix, List<FieldError> errors, Func<string, int, IReadOnlyList<CalendarShift>> calendarEvents)
    {
        var before = errors.Count;
        if (string.IsNullOrWhiteSpace(d.Name))
        {
            errors.Add(new($"{prefix}name", "is required"));
        }
        else if (!NamePattern().IsMatch(d.Name))
        {
            errors.Add(new($"{prefix}name", NameRule));
        }
        DateTimeZone? zone = null;
        if (string.IsNullOrWhiteSpace(d.TimeZone))
        {
            errors.Add(new($"{prefix}time_zone", "is required: an IANA zone name such as Europe/Berlin or UTC"));
        }
        else if ((zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(d.TimeZone)) is null)
        {
            errors.Add(new($"{prefix}time_zone", $"unknown time zone \"{d.TimeZone}\": use an IANA zone name such as Europe/Berlin or UTC"));
        }
        var layers = new List<ScheduleLayer>();
        var layerNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (d.Layers?.Count ?? 0); i++)
        {
            var layer = d.Layers![i];
            var at = $"{prefix}layers[{i}].";
            var name = string.IsNullOrWhiteSpace(layer.Name) ? $"layer {i + 1}" : layer.Name;
            if (!layerNames.Add(name))
            {
                errors.Add(new($"{at}name", $"duplicate layer name \"{name}\""));
            }
            if (BuildLayer(layer, name, at, errors) is { } built)
            {
                layers.Add(built);
            }
            else if (layer.Rotation == "ical" && d.Name is not null)
            {
                layers.Add(new CalendarLayer(name, calendarEvents(d.Name, i)));
            }
        }
        var overrides = new List<ScheduleOverride>();
        for (var i = 0; i < (d.Overrides?.Count ?? 0); i++)
        {
            if (zone is not null && BuildOverride(d.Overrides![i], zone, $"{prefix}overrides[{i}].", errors) is { } built)
            {
                overrides.Add(built);
            }
        }
        return errors.Count > before || zone is null ? null : new Schedule(d.Name!, zone, layers, overrides);
    }

    public static ScheduleOverride? BuildOverride(OverrideDefinition o, DateTimeZone zone, string at, List<FieldError> errors)
    {
        var before = errors.Count;
        if (string.IsNullOrWhiteSpace(o.User))
        {
            errors.Add(new($"{at}user", "is required: a username"));
        }
        var start = ParseMoment(o.Start, zone, $"{at}start", errors);
        var end = ParseMoment(o.End, zone, $"{at}end", errors);
        if (start is not null && end is not null && end <= start)
        {
            errors.Add(new($"{at}end", "must be after start"));
        }
        return errors.Count > before ? null : new ScheduleOverride(o.User!, start!.Value, end!.Value);
    }

    /// <summary>A rotation layer, or null for an <c>ical</c> layer or one with errors (added to <paramref name="errors"/>).</summary>
    private static RotationLayer? BuildLayer(LayerDefinition layer, string name, string at, List<FieldError> errors)
    {
        if (layer.Rotation == "ical")
        {
            var hasUrl = !string.IsNullOrWhiteSpace(layer.Url);
            if (hasUrl == !string.IsNullOrWhiteSpace(layer.File))
            {
                errors.Add(new($"{at}rotation", "an ical layer needs exactly one of \"url\" or \"file\""));
            }
            else if (hasUrl && !(Uri.TryCreate(layer.Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            {
                errors.Add(new($"{at}url", $"\"{layer.Url}\" is not an absolute http(s) URL"));
            }
            if (layer.Refresh is { } refresh && refresh < TimeSpan.FromMinutes(1))
            {
                errors.Add(new($"{at}refresh", "must be at least 1m"));
            }
            return null;
        }
        var before = errors.Count;
        long lengthHours = 0;
        switch (layer.Rotation)
        {
            case "daily":
                lengthHours = 24;
                break;
            case "weekly":
                lengthHours = 7 * 24;
                break;
            case "custom":
                var match = LengthPattern().Match(layer.Length ?? "");
                if (string.IsNullOrEmpty(layer.Length) || !match.Success)
                {
                    errors.Add(new($"{at}length", "a custom rotation needs a length in whole days and hours, e.g. 12h, 3d or 1d12h"));
                    break;
                }
                lengthHours = (match.Groups[1].Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * 24 : 0)
                    + (match.Groups[2].Success ? long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0);
                if (lengthHours is < 1 or > 366 * 24)
                {
                    errors.Add(new($"{at}length", "must be from 1h to 366d"));
                }
                break;
            default:
                errors.Add(new($"{at}rotation", "must be daily, weekly, custom (with length) or ical (with url or file)"));
                break;
        }
        if (layer.Length is not null && layer.Rotation is "daily" or "weekly")
        {
            errors.Add(new($"{at}length", $"only a custom rotation has a length; a {layer.Rotation} one is {(layer.Rotation == "daily" ? "1d" : "7d")}"));
        }
        IsoDayOfWeek? handoffDay = null;
        var handoff = LocalTime.Midnight;
        var handoffMatch = HandoffPattern().Match(layer.Handoff ?? "00:00");
        if (!handoffMatch.Success || !TryParseTime(handoffMatch.Groups[2].Value, out handoff) || handoff == LocalTime.Midnight && handoffMatch.Groups[2].Value.StartsWith("24", StringComparison.Ordinal))
        {
            errors.Add(new($"{at}handoff", $"\"{layer.Handoff}\" is not a local time HH:MM (weekly: a weekday first, \"mon 09:00\")"));
        }
        else if (handoffMatch.Groups[1].Success)
        {
            handoffDay = ParseDay(handoffMatch.Groups[1].Value);
            if (handoffDay is null)
            {
                errors.Add(new($"{at}handoff", $"unknown weekday \"{handoffMatch.Groups[1].Value}\": use mon, tue, wed, thu, fri, sat or sun"));
            }
            else if (layer.Rotation != "weekly")
            {
                errors.Add(new($"{at}handoff", "only a weekly rotation has a hand-off weekday"));
            }
        }
        LocalDate start = default;
        if (string.IsNullOrWhiteSpace(layer.Start))
        {
            errors.Add(new($"{at}start", "is required: the local date the rotation starts, e.g. 2026-01-05"));
        }
        else if (LocalDatePattern.Iso.Parse(layer.Start) is { Success: true } date)
        {
            start = date.Value;
        }
        else
        {
            errors.Add(new($"{at}start", $"\"{layer.Start}\" is not a date YYYY-MM-DD"));
        }
        if (layer.Participants is null || layer.Participants.Count == 0)
        {
            errors.Add(new($"{at}participants", "needs at least one username"));
        }
        for (var i = 0; i < (layer.Participants?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(layer.Participants![i]))
            {
                errors.Add(new($"{at}participants[{i}]", "is empty"));
            }
        }
        var restrictions = BuildRestrictions(layer.Restrictions ?? [], at, errors);
        if (errors.Count > before)
        {
            return null;
        }
        if (handoffDay is { } day)
        {
            start = start.With(DateAdjusters.NextOrSame(day));
        }
        return new RotationLayer(name, start + handoff, lengthHours, [.. layer.Participants!], restrictions);
    }

    private static List<Restriction> BuildRestrictions(List<RestrictionDefinition> definitions, string at, List<FieldError> errors)
    {
        var result = new List<Restriction>();
        // Minutes of the week each restriction covers, to refuse two that overlap (a layer either is or is not active at a time).
        var covered = new int?[7 * 24 * 60];
        for (var i = 0; i < definitions.Count; i++)
        {
            var r = definitions[i];
            var path = $"{at}restrictions[{i}].";
            var before = errors.Count;
            var days = ParseDays(r.Days);
            if (days is null)
            {
                errors.Add(new($"{path}days", $"\"{r.Days}\" is not a list of weekdays such as mon-fri or sat,sun"));
            }
            if (!TryParseTime(r.From, out var from))
            {
                errors.Add(new($"{path}from", $"\"{r.From}\" is not a local time HH:MM"));
            }
            if (!TryParseTime(r.To, out var to))
            {
                errors.Add(new($"{path}to", $"\"{r.To}\" is not a local time HH:MM (24:00 for midnight at the end of the day)"));
            }
            if (errors.Count > before)
            {
                continue;
            }
            if (from == to)
            {
                errors.Add(new($"{path}to", "equals from: a restriction must leave part of the day out (remove it to mean all day)"));
                continue;
            }
            var restriction = new Restriction(days!, from, to);
            var length = to > from ? MinuteOfDay(to) - MinuteOfDay(from) : (24 * 60) - (MinuteOfDay(from) - MinuteOfDay(to));
            foreach (var day in days!)
            {
                var first = (((int)day - 1) * 24 * 60) + MinuteOfDay(from);
                for (var m = 0; m < length; m++)
                {
                    var slot = (first + m) % covered.Length;
                    if (covered[slot] is { } other)
                    {
                        errors.Add(new($"{path}days", $"overlaps restrictions[{other}] on {DayNames[slot / (24 * 60)]}"));
                        goto next;
                    }
                    covered[slot] = i;
                }
            }
            result.Add(restriction);
        next:;
        }
        return result;
    }

    private static int MinuteOfDay(LocalTime time) => (time.Hour * 60) + time.Minute;

    /// <summary><c>mon-fri</c>, <c>sat,sun</c>, <c>mon,wed-fri</c>; a range may wrap (<c>fri-mon</c>).</summary>
    public static HashSet<IsoDayOfWeek>? ParseDays(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var days = new HashSet<IsoDayOfWeek>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || ParseDay(range[0]) is not { } first || ParseDay(range[^1]) is not { } last)
            {
                return null;
            }
            for (var d = first; ; d = d == IsoDayOfWeek.Sunday ? IsoDayOfWeek.Monday : d + 1)
            {
                days.Add(d);
                if (d == last)
                {
                    break;
                }
            }
        }
        return days;
    }

    private static IsoDayOfWeek? ParseDay(string text)
    {
        var index = Array.IndexOf(DayNames, text.ToLowerInvariant());
        return index < 0 ? null : (IsoDayOfWeek)(index + 1);
    }

    /// <summary>HH:MM; 24:00 is midnight (the end of a restriction window).</summary>
    private static bool TryParseTime(string? text, out LocalTime time)
    {
        time = LocalTime.Midnight;
        if (text is "24:00")
        {
            return true;
        }
        var result = LocalTimePattern.CreateWithInvariantCulture("H:mm").Parse(text ?? "");
        time = result.Success ? result.Value : LocalTime.Midnight;
        return result.Success && text!.Length is 4 or 5;
    }

    /// <summary>ISO-8601 with an offset or Z (an instant), or without (a local time in the schedule's zone).</summary>
    public static Instant? ParseMoment(string? text, DateTimeZone zone, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new(path, "is required: an ISO-8601 time such as 2026-03-28T18:00 (local to the schedule) or 2026-03-28T17:00Z"));
            return null;
        }
        if (OffsetSuffix().IsMatch(text))
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
            {
                return Instant.FromDateTimeOffset(withOffset);
            }
        }
        else if (LocalMoments.Select(p => p.Parse(text)).FirstOrDefault(r => r.Success) is { } local)
        {
            return OnCallTimeline.Resolve(local.Value, zone);
        }
        errors.Add(new(path, $"\"{text}\" is not an ISO-8601 time such as 2026-03-28T18:00 or 2026-03-28T17:00Z"));
        return null;
    }
}
