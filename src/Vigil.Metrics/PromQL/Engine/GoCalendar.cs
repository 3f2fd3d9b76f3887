namespace Vigil.Metrics.PromQL;

/// <summary>A UTC calendar date and time of day, as Go's <c>time</c> package reports it.</summary>
internal readonly record struct CalendarTime(long Year, int Month, int Day, int DayOfYear, int DayOfWeek, int Hour, int Minute)
{
    /// <summary>Days in this date's month (February by the proleptic Gregorian leap rule).</summary>
    public int DaysInMonth => Month == 2 ? (GoCalendar.IsLeap(Year) ? 29 : 28) : Month is 4 or 6 or 9 or 11 ? 30 : 31;
}

/// <summary>
/// The date functions' view of a value, bit for bit as Prometheus 2.42 (built with Go 1.19) gets
/// it: <c>time.Unix(int64(v), 0).UTC()</c>. A value that is NaN, infinite or beyond int64 becomes
/// the minimum int64 (the amd64 conversion), and Go's absolute-time arithmetic wraps around, so
/// even those give the same odd dates Prometheus returns (e.g. year 292277026596 for NaN).
/// </summary>
internal static class GoCalendar
{
    private const long SecondsPerDay = 86_400;
    private const long DaysPer400Years = 365 * 400 + 97;
    private const long DaysPer100Years = 365 * 100 + 24;
    private const long DaysPer4Years = 365 * 4 + 1;
    private const long AbsoluteZeroYear = -292277022399;

    // unixToInternal (62135596800) + internalToAbsolute (9223371966579724800), from Go 1.19's time package.
    private const long UnixToAbsolute = 9223372028715321600;

    private static readonly int[] DaysBefore = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

    /// <summary>Go's <c>int64(v)</c> on amd64: truncation, or the minimum int64 when it does not fit.</summary>
    public static long ToInt64(double v) =>
        double.IsNaN(v) || v >= 9.2233720368547758e18 || v < -9.2233720368547758e18 ? long.MinValue : (long)v;

    public static bool IsLeap(long year) => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

    public static CalendarTime FromUnixSeconds(long seconds)
    {
        var abs = unchecked((ulong)(seconds + UnixToAbsolute));
        var d = abs / SecondsPerDay;
        var n = d / DaysPer400Years;
        var y = 400 * n;
        d -= DaysPer400Years * n;
        n = d / DaysPer100Years;
        n -= n >> 2;
        y += 100 * n;
        d -= DaysPer100Years * n;
        n = d / DaysPer4Years;
        y += 4 * n;
        d -= DaysPer4Years * n;
        n = d / 365;
        n -= n >> 2;
        y += n;
        d -= 365 * n;
        var year = unchecked((long)y + AbsoluteZeroYear);
        var yday = (int)d;
        var day = yday;
        int month;
        if (IsLeap(year) && day >= 31 + 29 - 1)
        {
            if (day == 31 + 29 - 1)
            {
                return Build(abs, year, 2, 29, yday);
            }
            day--;
        }
        month = day / 31;
        var end = DaysBefore[month + 1];
        int begin;
        if (day >= end)
        {
            month++;
            begin = end;
        }
        else
        {
            begin = DaysBefore[month];
        }
        return Build(abs, year, month + 1, day - begin + 1, yday);
    }

    private static CalendarTime Build(ulong abs, long year, int month, int day, int yday)
    {
        var weekday = (int)((abs + SecondsPerDay) % (7 * SecondsPerDay) / SecondsPerDay);
        var secondOfDay = (int)(abs % SecondsPerDay);
        return new CalendarTime(year, month, day, yday + 1, weekday, secondOfDay / 3600, secondOfDay % 3600 / 60);
    }
}
