using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;
using Vigil.Configuration;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Monitors.Uptime;

namespace Vigil.Features.Alerting.Maintenance;

/// <summary>
/// When a maintenance window is open, compiled from its definition. The phrase form is
/// <c>every [Nth|last] WEEKDAY HH:MM-HH:MM</c> (<c>every 2nd sunday 02:00-04:00</c> is the second
/// Sunday of every month, as the seeds' "Every 2nd Sunday, 2-4 AM UTC") or <c>every WEEKDAY ...</c>
/// (each week) or <c>every day ...</c>; an end at or before the start runs past midnight; times are
/// local to the window's time zone. A cron window starts at each cron time and lasts its duration.
/// </summary>
public sealed partial class WindowSchedule
{
    [GeneratedRegex(@"^every\s+(?:(?<nth>1st|2nd|3rd|4th|5th|last)\s+)?(?<day>day|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+(?<from>\d{1,2}:\d{2})\s*[-–]\s*(?<to>\d{1,2}:\d{2})(?:\s+utc)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Phrase();

    private readonly Func<DateTimeOffset, DateTimeOffset, IEnumerable<Interval>> occurrences;

    private WindowSchedule(Func<DateTimeOffset, DateTimeOffset, IEnumerable<Interval>> occurrences) => this.occurrences = occurrences;

    /// <summary>The openings that overlap [from, to), clipped to it, in time order.</summary>
    public IEnumerable<Interval> Between(DateTimeOffset from, DateTimeOffset to) =>
        occurrences(from, to).Where(i => i.To > from && i.From < to).Select(i => new Interval(Max(i.From, from), Min(i.To, to)));

    public bool IsOpenAt(DateTimeOffset at) => Between(at, at.AddTicks(1)).Any();

    /// <summary>The whole opening the window is in at <paramref name="at"/>, if it is open then.</summary>
    public Interval? OpeningAt(DateTimeOffset at) =>
        occurrences(at, at.AddTicks(1)).Where(i => i.From <= at && i.To > at).Select(i => (Interval?)i).FirstOrDefault();

    /// <summary>
    /// The next <paramref name="count"/> openings from <paramref name="from"/> (one open now counts,
    /// clipped to start then), looking up to two years ahead — far enough for a monthly or yearly window.
    /// </summary>
    public IReadOnlyList<Interval> Next(DateTimeOffset from, int count)
    {
        var found = new List<Interval>();
        var horizon = from.AddYears(2);
        for (var start = from; start < horizon && found.Count < count; start = start.AddDays(62))
        {
            var end = Min(start.AddDays(62), horizon);
            // Each opening is taken in the step where it starts; one already open at from, in the first.
            found.AddRange(occurrences(start, end)
                .Where(i => (i.From >= start && i.From < end) || (start == from && i.From < from && i.To > from))
                .Select(i => new Interval(Max(i.From, from), i.To)));
        }
        return [.. found.DistinctBy(i => i.From).OrderBy(i => i.From).Take(count)];
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public static IEnumerable<FieldError> Validate(MaintenanceWindowDefinition d, string at)
    {
        _ = TryCompile(d, out var errors, at);
        return errors;
    }

    public static WindowSchedule Compile(MaintenanceWindowDefinition d) =>
        TryCompile(d, out var errors, "") ?? throw new FormatException(string.Join("; ", errors.Select(e => $"{e.Path}: {e.Reason}")));

    public static WindowSchedule? TryCompile(MaintenanceWindowDefinition d, out List<FieldError> errors, string at)
    {
        errors = [];
        if (string.IsNullOrWhiteSpace(d.Name))
        {
            errors.Add(new FieldError($"{at}name", "required"));
        }
        if (string.IsNullOrWhiteSpace(d.Service))
        {
            errors.Add(new FieldError($"{at}service", "required: the service whose alerts the window mutes"));
        }
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (d.TimeZone is { } tz && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out zone!))
        {
            errors.Add(new FieldError($"{at}time_zone", $"unknown time zone \"{tz}\" (use an IANA name such as Europe/Berlin)"));
            zone = TimeZoneInfo.Utc;
        }
        var forms = (d.Schedule is not null ? 1 : 0) + (d.Cron is not null ? 1 : 0) + (d.StartsAt is not null || d.EndsAt is not null ? 1 : 0);
        if (forms != 1)
        {
            errors.Add(new FieldError($"{at}schedule", "give exactly one of schedule, cron with duration, or starts_at with ends_at"));
            return null;
        }
        WindowSchedule? result = null;
        if (d.Schedule is { } phrase)
        {
            var m = Phrase().Match(phrase.Trim());
            if (!m.Success)
            {
                errors.Add(new FieldError($"{at}schedule", $"\"{phrase}\" is not a schedule: write e.g. \"every 2nd sunday 02:00-04:00\", \"every saturday 22:00-02:00\" or \"every day 03:00-03:30\""));
            }
            else if (!TryTime(m.Groups["from"].Value, out var start) || !TryTime(m.Groups["to"].Value, out var end))
            {
                errors.Add(new FieldError($"{at}schedule", "times are HH:MM, 00:00 to 23:59"));
            }
            else
            {
                result = new WindowSchedule((from, to) => PhraseOccurrences(m.Groups["nth"].Value.ToLowerInvariant(), m.Groups["day"].Value.ToLowerInvariant(), start, end, zone, from, to));
            }
        }
        else if (d.Cron is { } cron)
        {
            CronExpression? expression = null;
            try
            {
                expression = CronExpression.Parse(cron);
            }
            catch (CronFormatException e)
            {
                errors.Add(new FieldError($"{at}cron", $"invalid cron expression \"{cron}\": {e.Message}"));
            }
            if (d.Duration is not { } text || !Configuration.Duration.TryParse(text, out var length) || length <= TimeSpan.Zero)
            {
                errors.Add(new FieldError($"{at}duration", "a cron window needs a positive duration, e.g. 2h"));
            }
            else if (expression is not null)
            {
                result = new WindowSchedule((from, to) => expression.GetOccurrences(from.UtcDateTime - length, to.UtcDateTime, zone, fromInclusive: true, toInclusive: false)
                    .Select(o => new Interval(o, o + length)));
            }
        }
        else
        {
            var okStart = DateTimeOffset.TryParse(d.StartsAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var starts);
            var okEnd = DateTimeOffset.TryParse(d.EndsAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ends);
            if (!okStart)
            {
                errors.Add(new FieldError($"{at}starts_at", "an RFC 3339 time is required, e.g. 2026-12-01T22:00:00Z"));
            }
            if (!okEnd)
            {
                errors.Add(new FieldError($"{at}ends_at", "an RFC 3339 time is required, e.g. 2026-12-02T02:00:00Z"));
            }
            else if (okStart && ends <= starts)
            {
                errors.Add(new FieldError($"{at}ends_at", "must be after starts_at"));
            }
            else if (okStart)
            {
                result = new WindowSchedule((_, _) => [new Interval(starts, ends)]);
            }
        }
        return errors.Count == 0 ? result : null;
    }

    private static bool TryTime(string text, out TimeSpan time) =>
        TimeSpan.TryParseExact(text, ["h\\:mm", "hh\\:mm"], CultureInfo.InvariantCulture, out time) && time < TimeSpan.FromDays(1);

    private static IEnumerable<Interval> PhraseOccurrences(string nth, string day, TimeSpan start, TimeSpan end, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        var length = end > start ? end - start : end - start + TimeSpan.FromDays(1);
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime).AddDays(-1);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, zone).DateTime);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            if (!Matches(date, nth, day))
            {
                continue;
            }
            var local = date.ToDateTime(TimeOnly.FromTimeSpan(start));
            // A start that the clocks skip (spring forward) opens at the first valid minute after it.
            while (zone.IsInvalidTime(local))
            {
                local = local.AddMinutes(1);
            }
            var opens = new DateTimeOffset(local, zone.GetUtcOffset(local));
            var closesLocal = date.ToDateTime(TimeOnly.FromTimeSpan(start)) + length;
            while (zone.IsInvalidTime(closesLocal))
            {
                closesLocal = closesLocal.AddMinutes(1);
            }
            yield return new Interval(opens.ToUniversalTime(), new DateTimeOffset(closesLocal, zone.GetUtcOffset(closesLocal)).ToUniversalTime());
        }
    }

    private static bool Matches(DateOnly date, string nth, string day)
    {
        if (day == "day")
        {
            return true;
        }
        if (!string.Equals(date.DayOfWeek.ToString(), day, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return nth switch
        {
            "" => true,
            "last" => date.AddDays(7).Month != date.Month,
            _ => (date.Day - 1) / 7 + 1 == nth[0] - '0',
        };
    }
}
