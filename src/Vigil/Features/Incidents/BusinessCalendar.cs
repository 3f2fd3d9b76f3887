using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Vigil.Features.Incidents;

/// <summary>
/// Working hours in one time zone, minus holidays: how a target such as the seeds' "4 hours
/// during business hours" counts. Local times are mapped to instants by the zone's rules, so a
/// working day on which the clocks change is an hour shorter or longer.
/// </summary>
public sealed class BusinessCalendar
{
    private static readonly LocalTimePattern TimeOfDay = LocalTimePattern.CreateWithInvariantCulture("HH:mm");
    private static readonly LocalDatePattern Date = LocalDatePattern.Iso;
    private readonly Dictionary<IsoDayOfWeek, (LocalTime Open, LocalTime? Close)> hours;
    private readonly HashSet<LocalDate> holidays;

    private BusinessCalendar(string name, DateTimeZone zone, Dictionary<IsoDayOfWeek, (LocalTime, LocalTime?)> hours, HashSet<LocalDate> holidays)
    {
        Name = name;
        Zone = zone;
        this.hours = hours;
        this.holidays = holidays;
    }

    public string Name { get; }
    public DateTimeZone Zone { get; }

    /// <summary>Builds the calendar, or says what is wrong with the definition (path relative to the definition).</summary>
    public static (BusinessCalendar? Calendar, IReadOnlyList<(string Path, string Reason)> Errors) From(BusinessCalendarDefinition definition)
    {
        var errors = new List<(string, string)>();
        var zone = definition.TimeZone is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(definition.TimeZone);
        if (definition.TimeZone is not null && zone is null)
        {
            errors.Add(("time_zone", $"unknown time zone \"{definition.TimeZone}\": use an IANA name such as Europe/Berlin"));
        }
        var hours = new Dictionary<IsoDayOfWeek, (LocalTime, LocalTime?)>();
        var spec = definition.Hours.Count > 0 ? definition.Hours : new Dictionary<string, string>
        {
            ["monday"] = "09:00-17:00",
            ["tuesday"] = "09:00-17:00",
            ["wednesday"] = "09:00-17:00",
            ["thursday"] = "09:00-17:00",
            ["friday"] = "09:00-17:00",
        };
        foreach (var (day, range) in spec)
        {
            if (!Enum.TryParse<IsoDayOfWeek>(day, ignoreCase: true, out var weekday) || weekday == IsoDayOfWeek.None || int.TryParse(day, CultureInfo.InvariantCulture, out _))
            {
                errors.Add(($"hours.{day}", "not a weekday: write monday .. sunday"));
                continue;
            }
            var parts = range.Split('-', StringSplitOptions.TrimEntries);
            var open = parts.Length == 2 ? TimeOfDay.Parse(parts[0]) : null;
            // "24:00" closes at the end of the day.
            var close = parts.Length == 2 && parts[1] == "24:00" ? null : parts.Length == 2 ? TimeOfDay.Parse(parts[1]) : null;
            if (open is null || !open.Success || (close is not null && (!close.Success || close.Value <= open.Value)))
            {
                errors.Add(($"hours.{day}", $"invalid hours \"{range}\": write HH:mm-HH:mm, e.g. 09:00-17:00 (24:00 for the end of the day)"));
                continue;
            }
            hours[weekday] = (open.Value, close?.Value);
        }
        var days = new HashSet<LocalDate>();
        for (var i = 0; i < definition.Holidays.Count; i++)
        {
            var parsed = Date.Parse(definition.Holidays[i]);
            if (parsed.Success)
            {
                days.Add(parsed.Value);
            }
            else
            {
                errors.Add(($"holidays[{i}]", $"invalid date \"{definition.Holidays[i]}\": write YYYY-MM-DD"));
            }
        }
        return errors.Count > 0 || zone is null ? (null, errors) : (new BusinessCalendar(definition.Name ?? "", zone, hours, days), errors);
    }

    /// <summary>The business time between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public TimeSpan Elapsed(DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        foreach (var (open, close) in Windows(from, to))
        {
            var start = open < from ? from : open;
            var end = close > to ? to : close;
            if (end > start)
            {
                total += end - start;
            }
        }
        return total;
    }

    /// <summary>When <paramref name="duration"/> of business time after <paramref name="from"/> has passed.</summary>
    public DateTimeOffset Add(DateTimeOffset from, TimeSpan duration)
    {
        var left = duration;
        // Ten years of days is more than any target; a calendar with no working day never reaches it.
        foreach (var (open, close) in Windows(from, from.AddYears(10)))
        {
            var start = open < from ? from : open;
            if (close <= start)
            {
                continue;
            }
            if (close - start >= left)
            {
                return start + left;
            }
            left -= close - start;
        }
        return DateTimeOffset.MaxValue;
    }

    /// <summary>Working intervals (as instants) of the local days that overlap [from, to).</summary>
    private IEnumerable<(DateTimeOffset Open, DateTimeOffset Close)> Windows(DateTimeOffset from, DateTimeOffset to)
    {
        var first = Instant.FromDateTimeOffset(from).InZone(Zone).Date;
        var last = Instant.FromDateTimeOffset(to).InZone(Zone).Date;
        for (var day = first; day <= last; day = day.PlusDays(1))
        {
            if (holidays.Contains(day) || !hours.TryGetValue(day.DayOfWeek, out var h))
            {
                continue;
            }
            // Lenient: a gap (spring forward) moves the time later, an overlap takes the earlier instant.
            var open = Zone.AtLeniently(day + h.Open).ToDateTimeOffset();
            var close = h.Close is { } c ? Zone.AtLeniently(day + c).ToDateTimeOffset() : Zone.AtStartOfDay(day.PlusDays(1)).ToDateTimeOffset();
            yield return (open.ToUniversalTime(), close.ToUniversalTime());
        }
    }
}
