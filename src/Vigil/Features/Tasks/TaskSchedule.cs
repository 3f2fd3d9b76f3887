using System.Globalization;
using Cronos;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Vigil.Configuration;

namespace Vigil.Features.Tasks;

/// <summary>When a task falls due: the occurrences of its cron expression or RRULE in its time zone.</summary>
public sealed class TaskSchedule
{
    private readonly Func<DateTimeOffset, IEnumerable<DateTimeOffset>> from;

    private TaskSchedule(Func<DateTimeOffset, IEnumerable<DateTimeOffset>> from) => this.from = from;

    /// <summary>The due times after <paramref name="after"/> (exclusive), in order, endless unless the rule ends.</summary>
    public IEnumerable<DateTimeOffset> After(DateTimeOffset after) => from(after).Where(t => t > after);

    /// <summary>The due times in (<paramref name="after"/>, <paramref name="until"/>].</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset until) => After(after).TakeWhile(t => t <= until);

    public static TaskSchedule? TryCompile(TaskDefinition d, List<FieldError> errors, string at)
    {
        var before = errors.Count;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(d.TimeZone, out var zone))
        {
            errors.Add(new FieldError($"{at}time_zone", $"unknown time zone \"{d.TimeZone}\" (use an IANA name such as Europe/Berlin)"));
            return null;
        }
        if ((d.Cron is null) == (d.Rrule is null))
        {
            errors.Add(new FieldError($"{at}cron", "give exactly one of cron or rrule"));
            return null;
        }
        if (d.Cron is { } cron)
        {
            try
            {
                var expression = CronExpression.Parse(cron);
                return new TaskSchedule(after => expression.GetOccurrences(after.UtcDateTime, DateTime.MaxValue.AddYears(-1), zone, fromInclusive: false)
                    .Select(t => new DateTimeOffset(t, TimeSpan.Zero)));
            }
            catch (CronFormatException e)
            {
                errors.Add(new FieldError($"{at}cron", $"invalid cron expression \"{cron}\": {e.Message}"));
                return null;
            }
        }
        // RFC 5545 §3.3.10: a RECUR value is FREQ=...;... and needs a DTSTART to count from.
        if (!DateTime.TryParseExact(d.Start, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            errors.Add(new FieldError($"{at}start", "an rrule needs start: the first due time, local to time_zone, e.g. 2026-11-02T03:00"));
        }
        RecurrencePattern? pattern = null;
        var rrule = d.Rrule!.Trim();
        if (!rrule.Contains("FREQ=", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError($"{at}rrule", $"\"{rrule}\" is not an RFC 5545 RRULE: it needs FREQ= (e.g. FREQ=WEEKLY;BYDAY=MO)"));
        }
        else
        {
            try
            {
                pattern = new RecurrencePattern(rrule.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase) ? rrule[6..] : rrule);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                errors.Add(new FieldError($"{at}rrule", $"\"{rrule}\" is not an RFC 5545 RRULE: {e.Message}"));
            }
        }
        if (errors.Count > before || pattern is null)
        {
            return null;
        }
        var tzid = d.TimeZone;
        return new TaskSchedule(after =>
        {
            var calendarEvent = new CalendarEvent { DtStart = new CalDateTime(DateTime.SpecifyKind(start, DateTimeKind.Unspecified), tzid), RecurrenceRule = pattern };
            var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
            return calendarEvent.GetOccurrences(new CalDateTime(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), tzid))
                .Select(o => new DateTimeOffset(DateTime.SpecifyKind(o.Period.StartTime.AsUtc, DateTimeKind.Utc)));
        });
    }
}
