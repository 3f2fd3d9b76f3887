using System.Text;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// When checks run. Each monitor has a fixed phase within its interval, taken from a hash of its
/// name, so 10,000 monitors at 10 s spread evenly instead of bursting together, and a monitor
/// keeps the same slots across restarts. Slots are counted from the Unix epoch.
/// </summary>
public static class Schedule
{
    /// <summary>The first slot at or after <paramref name="now"/>.</summary>
    public static DateTimeOffset FirstDue(string monitor, TimeSpan interval, DateTimeOffset now)
    {
        var period = interval.Ticks;
        var phase = (long)(Fnv1a(monitor) % (ulong)period);
        var sinceEpoch = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var slot = sinceEpoch - (((sinceEpoch - phase) % period) + period) % period;
        if (slot < sinceEpoch)
        {
            slot += period;
        }
        return DateTimeOffset.UnixEpoch.AddTicks(slot);
    }

    /// <summary>The slot after <paramref name="due"/>; slots already past at <paramref name="now"/> are skipped, not run in a burst.</summary>
    public static DateTimeOffset NextDue(DateTimeOffset due, TimeSpan interval, DateTimeOffset now)
    {
        var next = due + interval;
        if (next <= now)
        {
            var behind = (now - next).Ticks / interval.Ticks + 1;
            next += TimeSpan.FromTicks(behind * interval.Ticks);
        }
        return next;
    }

    /// <summary>
    /// Whether a monitor whose share moved to this replica because its owner is gone should be
    /// checked at once: the owner ran the slots while it was alive, so its last check known to have
    /// run is the last slot at or before <paramref name="ownerLastAlive"/>; when that is one interval
    /// or more before <paramref name="now"/>, waiting for the next slot would leave the monitor
    /// unchecked for up to two intervals.
    /// </summary>
    public static bool CheckOnTakeOver(string monitor, TimeSpan interval, DateTimeOffset ownerLastAlive, DateTimeOffset now)
    {
        var first = FirstDue(monitor, interval, ownerLastAlive);
        var lastRun = first == ownerLastAlive ? first : first - interval;
        return now - lastRun >= interval;
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }
}
