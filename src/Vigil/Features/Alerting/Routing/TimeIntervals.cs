using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;
using Vigil.Configuration;

namespace Vigil.Features.Alerting.Routing;

/// <summary>
/// <c>routing.time_intervals</c>: named sets of recurring periods that routes name in
/// <c>mute_time_intervals</c> (no notifications inside them) and <c>active_time_intervals</c> (none
/// outside them), with Alertmanager 0.25's keys and rules (<c>timeinterval/timeinterval.go</c>).
/// </summary>
public sealed class TimeIntervalSettings
{
    public string? Name { get; set; }
    /// <summary>The instant is in the named interval when it is in any of these.</summary>
    public List<TimeIntervalSpec> TimeIntervals { get; set; } = [];
}

/// <summary>One period: every field that is set must hold (an unset field holds always).</summary>
public sealed class TimeIntervalSpec
{
    /// <summary><c>{start_time: "09:00", end_time: "17:00"}</c>: start inclusive, end exclusive; <c>24:00</c> is the end of the day.</summary>
    public List<TimeRangeSettings>? Times { get; set; }
    /// <summary><c>monday</c>, <c>monday:friday</c>.</summary>
    public List<string>? Weekdays { get; set; }
    /// <summary><c>1</c>, <c>1:5</c>, <c>-3:-1</c> (the last three days of the month).</summary>
    public List<string>? DaysOfMonth { get; set; }
    /// <summary><c>january</c>, <c>1:3</c>, <c>may:august</c>.</summary>
    public List<string>? Months { get; set; }
    /// <summary><c>2026</c>, <c>2026:2027</c>.</summary>
    public List<string>? Years { get; set; }
    /// <summary>An IANA zone (<c>Europe/Berlin</c>), <c>UTC</c> (the default) or <c>Local</c>.</summary>
    public string? Location { get; set; }
}

public sealed class TimeRangeSettings
{
    public string? StartTime { get; set; }
    public string? EndTime { get; set; }
}

/// <summary>A checked <see cref="TimeIntervalSpec"/>: ranges as numbers, the zone resolved.</summary>
public sealed record TimeInterval(
    IReadOnlyList<(int Start, int End)>? Minutes,
    IReadOnlyList<(int Begin, int End)>? Weekdays,
    IReadOnlyList<(int Begin, int End)>? DaysOfMonth,
    IReadOnlyList<(int Begin, int End)>? Months,
    IReadOnlyList<(int Begin, int End)>? Years,
    DateTimeZone Zone)
{
    /// <summary>Alertmanager's <c>TimeInterval.ContainsTime</c>: every set field holds at <paramref name="at"/> in the interval's zone.</summary>
    public bool Contains(Instant at)
    {
        var local = at.InZone(Zone).LocalDateTime;
        var minute = local.Hour * 60 + local.Minute;
        if (Minutes is not null && !Minutes.Any(r => minute >= r.Start && minute < r.End))
        {
            return false;
        }
        if (DaysOfMonth is not null)
        {
            var days = CalendarSystem.Iso.GetDaysInMonth(local.Year, local.Month);
            // A negative day counts from the month's end (-1 is the last day); a range starting after
            // the month's last day does not apply to this month.
            if (!DaysOfMonth.Any(r =>
                {
                    var begin = r.Begin < 0 ? days + r.Begin + 1 : r.Begin;
                    var end = r.End < 0 ? days + r.End + 1 : r.End;
                    return begin <= days && local.Day >= Math.Max(begin, -days) && local.Day <= Math.Min(end, days);
                }))
            {
                return false;
            }
        }
        if (Months is not null && !Months.Any(r => local.Month >= r.Begin && local.Month <= r.End))
        {
            return false;
        }
        // Go's time.Weekday: Sunday is 0.
        var weekday = (int)local.DayOfWeek % 7;
        if (Weekdays is not null && !Weekdays.Any(r => weekday >= r.Begin && weekday <= r.End))
        {
            return false;
        }
        return Years is null || Years.Any(r => local.Year >= r.Begin && local.Year <= r.End);
    }
}

public static partial class TimeIntervals
{
    private static readonly string[] WeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    private static readonly string[] MonthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    [GeneratedRegex("^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)")]
    private static partial Regex ValidTime();

    /// <summary>The named intervals of valid settings (see <see cref="Validate"/>), by name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> Build(IEnumerable<TimeIntervalSettings> settings)
    {
        var built = new Dictionary<string, IReadOnlyList<TimeInterval>>(StringComparer.Ordinal);
        foreach (var named in settings.Where(s => s.Name is not null))
        {
            var errors = new List<FieldError>();
            built[named.Name!] = [.. named.TimeIntervals.Select(spec => Compile(spec, "", errors)).OfType<TimeInterval>()];
        }
        return built;
    }

    /// <summary>Alertmanager's rules: names present and unique, every range well formed.</summary>
    public static IEnumerable<FieldError> Validate(IReadOnlyList<TimeIntervalSettings> settings)
    {
        var errors = new List<FieldError>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Count; i++)
        {
            var at = $"routing.time_intervals[{i}]";
            if (string.IsNullOrEmpty(settings[i].Name))
            {
                errors.Add(new($"{at}.name", "missing name in time interval"));
            }
            else if (!names.Add(settings[i].Name!))
            {
                errors.Add(new($"{at}.name", $"time interval \"{settings[i].Name}\" is not unique"));
            }
            for (var j = 0; j < settings[i].TimeIntervals.Count; j++)
            {
                Compile(settings[i].TimeIntervals[j], $"{at}.time_intervals[{j}].", errors);
            }
        }
        return errors;
    }

    /// <summary>The interval, or null with the reasons added to <paramref name="errors"/>.</summary>
    private static TimeInterval? Compile(TimeIntervalSpec spec, string at, List<FieldError> errors)
    {
        var before = errors.Count;
        List<(int, int)>? minutes = null;
        if (spec.Times is { } times)
        {
            minutes = [];
            for (var i = 0; i < times.Count; i++)
            {
                var field = $"{at}times[{i}]";
                if (string.IsNullOrEmpty(times[i].StartTime) || string.IsNullOrEmpty(times[i].EndTime))
                {
                    errors.Add(new(field, "both start_time and end_time must be provided"));
                    continue;
                }
                var start = ParseTime(times[i].StartTime!, $"{field}.start_time", errors);
                var end = ParseTime(times[i].EndTime!, $"{field}.end_time", errors);
                if (start is { } s && end is { } e)
                {
                    if (s >= e)
                    {
                        errors.Add(new(field, "start_time must be before end_time (for a period across midnight, use two ranges: start to 24:00 and 00:00 to end)"));
                    }
                    minutes.Add((s, e));
                }
            }
        }
        var weekdays = Ranges(spec.Weekdays, $"{at}weekdays", errors, Weekday, (b, e) => b > e ? "start day cannot be after end day" : null);
        var days = Ranges(spec.DaysOfMonth, $"{at}days_of_month", errors, Number, DayOfMonthProblem);
        var months = Ranges(spec.Months, $"{at}months", errors, Month, (b, e) => b > e ? $"end month {MonthNames[e - 1]} is before start month {MonthNames[b - 1]}" : null);
        var years = Ranges(spec.Years, $"{at}years", errors, Number, (b, e) => b > e ? $"end year {e} is before start year {b}" : null);
        DateTimeZone zone = DateTimeZone.Utc;
        if (spec.Location is { } location && location != "UTC")
        {
            if (location == "Local")
            {
                zone = DateTimeZoneProviders.Tzdb.GetSystemDefault();
            }
            else if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(location) is { } found)
            {
                zone = found;
            }
            else
            {
                errors.Add(new($"{at}location", $"unknown time zone \"{location}\" (an IANA name such as Europe/Berlin, UTC or Local)"));
            }
        }
        return errors.Count > before ? null : new TimeInterval(minutes, weekdays, days, months, years, zone);
    }

    private static int? ParseTime(string text, string field, List<FieldError> errors)
    {
        if (!ValidTime().IsMatch(text))
        {
            errors.Add(new(field, $"\"{text}\" is not a time of day HH:MM (00:00 to 24:00)"));
            return null;
        }
        return int.Parse(text[..2], CultureInfo.InvariantCulture) * 60 + int.Parse(text[3..], CultureInfo.InvariantCulture);
    }

    private static List<(int, int)>? Ranges(
        List<string>? values, string at, List<FieldError> errors, Func<string, (int? Value, string? Problem)> member, Func<int, int, string?> check)
    {
        if (values is null)
        {
            return null;
        }
        var ranges = new List<(int, int)>();
        for (var i = 0; i < values.Count; i++)
        {
            var text = values[i].ToLowerInvariant();
            var parts = text.Split(':');
            if (parts.Length > 2)
            {
                errors.Add(new($"{at}[{i}]", $"couldn't parse range \"{values[i]}\": write one value or BEGIN:END"));
                continue;
            }
            var begin = member(parts[0]);
            var end = parts.Length == 2 ? member(parts[1]) : begin;
            if ((begin.Problem ?? end.Problem) is { } problem)
            {
                errors.Add(new($"{at}[{i}]", problem));
                continue;
            }
            if (check(begin.Value!.Value, end.Value!.Value) is { } wrong)
            {
                errors.Add(new($"{at}[{i}]", wrong));
                continue;
            }
            ranges.Add((begin.Value.Value, end.Value.Value));
        }
        return ranges;
    }

    private static (int?, string?) Weekday(string text)
    {
        var index = Array.IndexOf(WeekdayNames, text);
        return index >= 0 ? (index, null) : (null, $"\"{text}\" is not a valid weekday (sunday to saturday)");
    }

    private static (int?, string?) Month(string text)
    {
        var index = Array.IndexOf(MonthNames, text);
        if (index >= 0)
        {
            return (index + 1, null);
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 12
            ? (n, null) : (null, $"\"{text}\" is not a valid month (january to december, or 1 to 12)");
    }

    private static (int?, string?) Number(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? (n, null) : (null, $"\"{text}\" is not a number");

    /// <summary>Alertmanager's <c>DayOfMonthRange.UnmarshalYAML</c> checks.</summary>
    private static string? DayOfMonthProblem(int begin, int end)
    {
        foreach (var day in new[] { begin, end })
        {
            if (day is 0 or < -31 or > 31)
            {
                return $"{day} is not a valid day of the month: out of range (1 to 31, or -31 to -1 from the end)";
            }
        }
        if (begin < 0 && end > 0)
        {
            return "end day must be negative if start day is negative";
        }
        var (checkBegin, checkEnd) = (begin < 0 ? 28 + begin : begin, end < 0 ? 28 + end : end);
        return checkBegin > checkEnd ? $"end day {end} is always before start day {begin}" : null;
    }

    /// <summary>
    /// Whether a route sends nothing at <paramref name="now"/> (Alertmanager's TimeActiveStage and
    /// TimeMuteStage): inside one of its mute intervals, or outside all of its active intervals.
    /// </summary>
    public static bool Mutes(RouteNode route, IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> intervals, Instant now)
    {
        bool Inside(string name) => intervals.TryGetValue(name, out var periods) && periods.Any(p => p.Contains(now));
        return route.MuteTimeIntervals.Any(Inside) || (route.ActiveTimeIntervals.Count > 0 && !route.ActiveTimeIntervals.Any(Inside));
    }
}
