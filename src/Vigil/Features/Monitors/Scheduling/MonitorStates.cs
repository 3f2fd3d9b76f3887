using System.Collections.Concurrent;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// A result as the console lists it. A struct held in each monitor's ring: 10,000 monitors keep
/// half a million of these, and as objects they were most of what the collector had to walk.
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
    public IReadOnlyList<ComponentResult> Components { get; set; } = [];
    // A ring, allocated on the first result: newest at (next - 1).
    private readonly Lock recentGate = new();
    private RecentResult[]? recent;
    private int next;
    private int count;

    public void Add(RecentResult result)
    {
        lock (recentGate)
        {
            recent ??= new RecentResult[RecentCapacity];
            if (count > 0 && recent[(next + RecentCapacity - 1) % RecentCapacity].Reason is { } previous && previous == result.Reason)
            {
                // The same words as last time ("status 200"): keep one string, not one per check.
                result = result with { Reason = previous };
            }
            recent[next] = result;
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
                newestFirst[i] = recent![(next - 1 - i + RecentCapacity) % RecentCapacity];
            }
            return newestFirst;
        }
    }
}

/// <summary>Every monitor's live state, held in memory; the database keeps the changes.</summary>
public sealed class MonitorStates
{
    private readonly ConcurrentDictionary<string, MonitorState> states = new(StringComparer.Ordinal);

    public MonitorState Get(string monitor) => states.GetOrAdd(monitor, _ => new MonitorState());

    public bool Contains(string monitor) => states.ContainsKey(monitor);

    public void Remove(string monitor) => states.TryRemove(monitor, out _);
}
