using System.Collections.Concurrent;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>A result as the console lists it.</summary>
public sealed record RecentResult(DateTimeOffset At, MonitorStatus Status, string Reason, double DurationSeconds, double LatenessSeconds);

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
    private readonly Queue<RecentResult> recent = new();

    public void Add(RecentResult result)
    {
        lock (recent)
        {
            if (recent.Count == RecentCapacity)
            {
                recent.Dequeue();
            }
            recent.Enqueue(result);
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<RecentResult> Recent()
    {
        lock (recent)
        {
            return [.. recent.Reverse()];
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
