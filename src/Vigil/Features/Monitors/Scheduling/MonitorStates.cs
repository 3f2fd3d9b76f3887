using System.Collections.Concurrent;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// A result as the console lists it. Each monitor's ring keeps them as structs (<see cref="MonitorState.Packed"/>):
/// 10,000 monitors keep half a million of these, and as objects they were most of what the collector had to walk.
/// </summary>
public readonly record struct RecentResult(DateTimeOffset At, MonitorStatus Status, string Reason, double DurationSeconds, double LatenessSeconds);

/// <summary>A monitor's live state: what it is, since when, failures in a row, and its last results.</summary>
public sealed class MonitorState
{
    public const int RecentCapacity = 50;

    public SemaphoreSlim Gate { get; } = new(1, 1);
    public MonitorStatus Status { get; set; }
    public DateTimeOffset? Since { get; set; }
    public string Reason { get; set; } = "";
    public int Failures { get; set; }
    /// <summary>The newest <see cref="CheckResult.Observation"/> applied to the state (under <see cref="Gate"/>).</summary>
    public long Observation { get; set; }
    public IReadOnlyList<ComponentResult> Components { get; set; } = [];
    // A ring, allocated on the first result: newest at (next - 1).
    private readonly Lock recentGate = new();
    private Packed[]? recent;
    private int next;
    private int count;

    public void Add(RecentResult result)
    {
        lock (recentGate)
        {
            recent ??= new Packed[RecentCapacity];
            var reason = result.Reason;
            if (count > 0 && recent[(next + RecentCapacity - 1) % RecentCapacity].Reason is { } previous && previous == reason)
            {
                // The same words as last time ("status 200"): keep one string, not one per check.
                reason = previous;
            }
            recent[next] = new Packed(result, reason);
            next = (next + 1) % RecentCapacity;
            count = Math.Min(count + 1, RecentCapacity);
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<RecentResult> Recent()
    {
        lock (recentGate)
        {
            var newestFirst = new RecentResult[count];
            for (var i = 0; i < count; i++)
            {
                newestFirst[i] = recent![(next - 1 - i + RecentCapacity) % RecentCapacity].Unpack();
            }
            return newestFirst;
        }
    }

    /// <summary>
    /// A <see cref="RecentResult"/> in 24 bytes instead of 48 (12 MB less at 10,000 monitors, bench/RESULTS.md
    /// "Monitors memory (h25r)"): the time in UTC ticks with the status in its three lowest bits (the time
    /// loses under a microsecond), the two durations in whole microseconds, saturated at ±35 minutes (a
    /// check's timeout is at most 5 minutes).
    /// </summary>
    internal readonly struct Packed
    {
        internal const int StatusBits = 3;
        private const long StatusMask = (1L << StatusBits) - 1;
        private readonly long ticksAndStatus;
        private readonly int durationMicroseconds;
        private readonly int latenessMicroseconds;

        public Packed(RecentResult result, string reason)
        {
            ticksAndStatus = (result.At.UtcTicks & ~StatusMask) | ((long)result.Status & StatusMask);
            Reason = reason;
            durationMicroseconds = Microseconds(result.DurationSeconds);
            latenessMicroseconds = Microseconds(result.LatenessSeconds);
        }

        public string Reason { get; }

        public RecentResult Unpack() => new(
            new DateTimeOffset(ticksAndStatus & ~StatusMask, TimeSpan.Zero), (MonitorStatus)(ticksAndStatus & StatusMask), Reason,
            durationMicroseconds / 1e6, latenessMicroseconds / 1e6);

        private static int Microseconds(double seconds) => (int)Math.Clamp(Math.Round(seconds * 1e6), int.MinValue, int.MaxValue);
    }
}

/// <summary>Every monitor's live state, held in memory; the database keeps the changes.</summary>
public sealed class MonitorStates
{
    private readonly ConcurrentDictionary<string, MonitorState> states = new(StringComparer.Ordinal);
    private long observations;

    /// <summary>The next number in the order of observations (<see cref="CheckResult.Observation"/>): take it before reading what the result is judged on.</summary>
    public long Observe() => Interlocked.Increment(ref observations);

    public MonitorState Get(string monitor) => states.GetOrAdd(monitor, _ => new MonitorState());

    public bool Contains(string monitor) => states.ContainsKey(monitor);

    public void Remove(string monitor) => states.TryRemove(monitor, out _);
}
