using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using NodaTime;
using Duration = NodaTime.Duration;

namespace Vigil.Features.OnCall;

/// <summary>
/// An iCalendar file (RFC 5545) as the shifts of an <c>ical</c> layer, as a pure function of its
/// text, the schedule's zone and a window. Recurring events (RRULE, RDATE, EXDATE) are expanded by
/// Ical.Net over the window; a TZID is honoured (the hand-off stays at the same local time across
/// daylight-saving changes); floating times and all-day dates are local to the schedule's zone.
/// Cancelled events (<c>STATUS:CANCELLED</c>) and events without a length are skipped.
/// </summary>
public static class ReadCalendarShifts
{
    /// <summary>At most this many shifts are kept from one calendar (a FREQ=MINUTELY rule would otherwise fill memory).</summary>
    public const int MaxShifts = 20_000;

    /// <exception cref="FormatException">The text is not an iCalendar file with a VCALENDAR.</exception>
    public static IReadOnlyList<CalendarShift> Read(string text, DateTimeZone zone, Instant from, Instant to)
    {
        var calendar = Parse(text);
        var shifts = new List<CalendarShift>();
        foreach (var calendarEvent in calendar.Events)
        {
            if (string.Equals(calendarEvent.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase) || calendarEvent.DtStart is null)
            {
                continue;
            }
            var user = Participant(calendarEvent);
            if (user is null)
            {
                continue;
            }
            var wallClock = WallClockLength(calendarEvent);
            // Occurrences come in start order; start a little early so a long event already under way at `from` is kept.
            var evaluateFrom = ToCalDateTime((from - Duration.FromDays(35)).InZone(zone));
            foreach (var occurrence in calendarEvent.GetOccurrences(evaluateFrom))
            {
                var startTime = occurrence.Period.StartTime;
                var start = ToInstant(startTime, zone);
                if (start >= to || shifts.Count >= MaxShifts)
                {
                    break;
                }
                var end = wallClock is var (length, eventZone) && startTime.HasTime
                    ? OnCallTimeline.Resolve(Local(startTime.Value.Add(length)), eventZone)
                    : occurrence.Period.EffectiveEndTime is { } effectiveEnd ? ToInstant(effectiveEnd, zone) : start;
                if (end > start && end > from)
                {
                    shifts.Add(new CalendarShift(user, start, end));
                }
            }
        }
        return [.. shifts.OrderBy(s => s.Start).ThenBy(s => s.User, StringComparer.Ordinal)];
    }

    /// <exception cref="FormatException">The text is not an iCalendar file with a VCALENDAR.</exception>
    public static Calendar Parse(string text)
    {
        Calendar? calendar;
        try
        {
            calendar = Calendar.Load(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"not an iCalendar file: {e.Message}", e);
        }
        return calendar ?? throw new FormatException("not an iCalendar file: no BEGIN:VCALENDAR");
    }

    /// <summary>
    /// Who an event puts on call: the first ATTENDEE's mailto local-part (<c>mailto:alice@example.com</c>
    /// → <c>alice</c>), else that attendee's CN; with no attendee, the SUMMARY after its first colon
    /// (<c>On call: alice</c> → <c>alice</c>), else the whole SUMMARY; trimmed. Null when all are empty.
    /// </summary>
    public static string? Participant(CalendarEvent calendarEvent)
    {
        if (calendarEvent.Attendees.FirstOrDefault() is { } attendee)
        {
            if (attendee.Value is { } address && address.Scheme == "mailto")
            {
                var mail = Uri.UnescapeDataString(address.OriginalString[(address.OriginalString.IndexOf(':') + 1)..]);
                var local = mail.Split('@')[0].Trim();
                if (local.Length > 0)
                {
                    return local;
                }
            }
            if (!string.IsNullOrWhiteSpace(attendee.CommonName))
            {
                return attendee.CommonName.Trim();
            }
        }
        var summary = calendarEvent.Summary?.Trim();
        if (string.IsNullOrEmpty(summary))
        {
            return null;
        }
        var colon = summary.IndexOf(':');
        var after = colon >= 0 ? summary[(colon + 1)..].Trim() : "";
        return after.Length > 0 ? after : summary;
    }

    /// <summary>
    /// For an event whose DTSTART and DTEND are local times with the same TZID:
    /// the wall-clock time between them, and that zone. Each instance then ends that much local time
    /// after it starts, so a "Monday 09:00 to Monday 09:00" rota keeps its 09:00 hand-off across a
    /// daylight-saving change, as calendar apps show it (RFC 5545 3.8.5.3 would keep the exact
    /// duration, moving the end an hour off the hand-off). Null otherwise (UTC times, DURATION,
    /// all-day dates, floating times, which Ical.Net already adds in local time): Ical.Net's end is used.
    /// </summary>
    private static (TimeSpan Length, DateTimeZone Zone)? WallClockLength(CalendarEvent calendarEvent)
    {
        if (calendarEvent.DtStart is not { HasTime: true } start || calendarEvent.DtEnd is not { HasTime: true } end
            || start.IsUtc || end.IsUtc || !string.Equals(start.TzId, end.TzId, StringComparison.Ordinal) || end.Value <= start.Value)
        {
            return null;
        }
        return start.TzId is null ? null
            : DateTimeZoneProviders.Tzdb.GetZoneOrNull(start.TzId) is { } zone ? (end.Value - start.Value, zone) : null;
    }

    private static LocalDateTime Local(DateTime v) => new(v.Year, v.Month, v.Day, v.Hour, v.Minute, v.Second);

    private static CalDateTime ToCalDateTime(ZonedDateTime at)
    {
        var local = at.LocalDateTime;
        return new CalDateTime(new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, local.Second, DateTimeKind.Unspecified), at.Zone.Id);
    }

    private static Instant ToInstant(CalDateTime value, DateTimeZone zone)
    {
        if (value.IsFloating)
        {
            return OnCallTimeline.Resolve(Local(value.Value), zone);
        }
        return Instant.FromDateTimeUtc(DateTime.SpecifyKind(value.AsUtc, DateTimeKind.Utc));
    }
}
