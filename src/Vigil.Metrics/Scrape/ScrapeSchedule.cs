namespace Vigil.Metrics.Scrape;

/// <summary>
/// When a target is scraped. As in Prometheus, each target gets a fixed offset inside the
/// interval from a hash of the target, so that scrapes of many targets spread out and a target
/// keeps its phase across restarts.
/// </summary>
public static class ScrapeSchedule
{
    /// <summary>
    /// The first instant at or after <paramref name="now"/> whose distance from the epoch, minus the
    /// target's offset (<paramref name="targetHash"/> modulo the interval), is a whole number of intervals.
    /// </summary>
    public static DateTimeOffset FirstScrapeAt(DateTimeOffset now, TimeSpan interval, ulong targetHash)
    {
        var intervalTicks = interval.Ticks;
        var offset = (long)(targetHash % (ulong)intervalTicks);
        var nowTicks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var candidate = nowTicks - (nowTicks % intervalTicks) + offset;
        if (candidate < nowTicks)
        {
            candidate += intervalTicks;
        }
        return new DateTimeOffset(candidate + DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.Zero);
    }

    /// <summary>
    /// The scrape after the one scheduled at <paramref name="previous"/>: one interval later, skipping
    /// ticks already past at <paramref name="now"/> (a slow scrape drops ticks, like Go's ticker).
    /// </summary>
    public static DateTimeOffset NextScrapeAt(DateTimeOffset previous, DateTimeOffset now, TimeSpan interval)
    {
        var next = previous + interval;
        if (next < now)
        {
            var missed = ((now - next).Ticks + interval.Ticks - 1) / interval.Ticks;
            next += TimeSpan.FromTicks(missed * interval.Ticks);
        }
        return next;
    }
}
