using System.Globalization;
using System.Text;
using NodaTime;

namespace Vigil.Features.OnCall;

/// <summary>
/// Final shifts as an iCalendar file (RFC 5545): one VEVENT per shift, times in UTC, a UID that
/// stays the same for the same shift (schedule, start, person) so calendar apps update rather
/// than duplicate, text escaped (§3.3.11) and lines folded at 75 octets (§3.1), CRLF endings.
/// </summary>
public static class CalendarFeed
{
    public static string Write(string calendarName, IEnumerable<(string Schedule, Shift Shift)> shifts, Instant now)
    {
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Vigil//On-call//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:" + Escape(calendarName),
        };
        foreach (var (schedule, shift) in shifts)
        {
            lines.Add("BEGIN:VEVENT");
            lines.Add($"UID:{Uid(schedule, shift)}");
            lines.Add($"DTSTAMP:{Utc(now)}");
            lines.Add($"DTSTART:{Utc(shift.Start)}");
            lines.Add($"DTEND:{Utc(shift.End)}");
            lines.Add("SUMMARY:" + Escape($"On call: {shift.User} ({schedule})"));
            lines.Add("DESCRIPTION:" + Escape(shift.IsOverride ? $"Override on schedule {schedule}" : $"Schedule {schedule}, layer {shift.Source}"));
            lines.Add("END:VEVENT");
        }
        lines.Add("END:VCALENDAR");
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            Fold(line, text);
        }
        return text.ToString();
    }

    private static string Uid(string schedule, Shift shift) =>
        $"{shift.Start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{schedule}\n{shift.User}\n{shift.Source}")))[..16]}@vigil";

    private static string Utc(Instant instant) => instant.ToString("uuuuMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 5545 §3.3.11: backslash, semicolon and comma escaped, newlines as \n.</summary>
    public static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(";", "\\;", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("\r\n", "\\n", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>RFC 5545 §3.1: lines longer than 75 octets are split, each continuation starting with a space; never inside a UTF-8 sequence.</summary>
    private static void Fold(string line, StringBuilder output)
    {
        var octets = 0;
        var limit = 75;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > limit)
            {
                output.Append("\r\n ");
                octets = 0;
                limit = 74; // the leading space counts
            }
            output.Append(rune.ToString());
            octets += size;
        }
        output.Append("\r\n");
    }
}
