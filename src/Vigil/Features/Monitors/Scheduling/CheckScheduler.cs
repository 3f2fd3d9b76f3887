using System.Collections.Concurrent;
using Vigil.Hosting;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>A monitor as the scheduler sees it: its definition, interval and the host it is polite to.</summary>
public sealed record ScheduledMonitor(MonitorDefinition Definition, string Fingerprint)
{
    public string Name => Definition.Name!;
    public TimeSpan Interval => Definition.Interval ?? MonitorRules.DefaultInterval;
    public string Host { get; } = HostOf(Definition);

    private static string HostOf(MonitorDefinition d)
    {
        var url = d.Url ?? d.Steps?.FirstOrDefault()?.Url;
        return url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : d.Host ?? "";
    }
}

/// <summary>How much runs at once: in all, and against one host (host:port) so a target is not flooded.</summary>
public sealed record ConcurrencyLimits(int Global, int PerHost);

/// <summary>
/// Runs every monitor on its slots (<see cref="Schedule"/>) with the injected clock. A check still
/// running when its next slot comes skips that slot rather than piling up. Checks wait for a place
/// under the global limit and their host's limit; the wait shows as lateness. Over several replicas
/// a slot runs only on the replica that <paramref name="owns"/> the monitor (its shard); the others
/// keep the slot and skip it, so when the owner is gone the next slot runs on its successor.
/// </summary>
public sealed class CheckScheduler(
    CheckRunner runner, TimeProvider clock, ConcurrencyLimits limits,
    Func<ScheduledMonitor, CheckResult, TimeSpan, Task> onResult, ILogger logger, Func<string, bool>? owns = null)
{
    private sealed class Slot(ScheduledMonitor monitor)
    {
        public ScheduledMonitor Monitor { get; } = monitor;
        public bool Removed { get; set; }
        public int Running;
    }

    private readonly Lock gate = new();
    private readonly Dictionary<string, Slot> slots = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Slot, DateTimeOffset> queue = new();
    private readonly SemaphoreSlim global = new(limits.Global, limits.Global);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> hosts = new(StringComparer.OrdinalIgnoreCase);
    // The loop sleeps on one wake-up call, made by its one timer (the next slot) or by Set (new
    // monitors): no timer or linked token source per wake-up (a thousand a second at 10,000
    // monitors at 10 s).
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);
    private readonly WakeSignal wake = new();
    private CancellationToken stopping;
    private long skipped;

    /// <summary>Slots skipped because the previous check of the same monitor was still running.</summary>
    public long Skipped => Interlocked.Read(ref skipped);

    public int Count
    {
        get
        {
            lock (gate)
            {
                return slots.Count;
            }
        }
    }

    /// <summary>Replaces the set of monitors; unchanged ones keep their slots and any check in flight.</summary>
    public void Set(IEnumerable<ScheduledMonitor> monitors)
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            var wanted = monitors.ToDictionary(m => m.Name, StringComparer.Ordinal);
            foreach (var (name, slot) in slots.ToList())
            {
                if (!wanted.TryGetValue(name, out var m) || m.Fingerprint != slot.Monitor.Fingerprint)
                {
                    slot.Removed = true;
                    slots.Remove(name);
                }
            }
            foreach (var m in wanted.Values.Where(m => !slots.ContainsKey(m.Name)))
            {
                var slot = new Slot(m);
                slots[m.Name] = slot;
                queue.Enqueue(slot, Schedule.FirstDue(m.Name, m.Interval, now));
            }
        }
        Wake();
    }

    // Woken by the timer and Set at once: one wake-up is enough (WakeSignal merges them).
    private void Wake() => wake.Set();

    /// <summary>
    /// How long to sleep until <paramref name="next"/>. Never less than a millisecond: the system
    /// timer counts whole milliseconds and fires a shorter wait at once, so a slot a fraction of a
    /// millisecond away would make the loop spin until it comes.
    /// </summary>
    private static TimeSpan SleepUntil(TimeSpan wait) => wait < MinimumSleep ? MinimumSleep : wait;

    /// <summary>
    /// Checks at once the monitors this replica took over from a replica that is gone (<paramref name="takenOver"/>)
    /// whose last check known to have run is an interval old or more (<see cref="Schedule.CheckOnTakeOver"/>);
    /// their slots stay as they were.
    /// </summary>
    /// <returns>The monitors checked at once.</returns>
    public IReadOnlyList<string> CatchUp(Func<string, bool> takenOver, DateTimeOffset ownerLastAlive)
    {
        List<Slot> stale;
        var now = clock.GetUtcNow();
        lock (gate)
        {
            stale = [.. slots.Values.Where(s => takenOver(s.Monitor.Name) && Schedule.CheckOnTakeOver(s.Monitor.Name, s.Monitor.Interval, ownerLastAlive, now))];
        }
        var started = new List<string>();
        foreach (var slot in stale)
        {
            if (Interlocked.CompareExchange(ref slot.Running, 1, 0) == 0)
            {
                started.Add(slot.Monitor.Name);
                _ = Task.Run(() => RunSlotAsync(slot, now, stopping), CancellationToken.None);
            }
        }
        return started;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        stopping = cancellationToken;
        var due = new List<(Slot Slot, DateTimeOffset At)>();
        using var timer = clock.CreateTimer(_ => Wake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = clock.GetUtcNow();
                while (queue.TryPeek(out var slot, out var at) && at <= now)
                {
                    queue.Dequeue();
                    if (slot.Removed)
                    {
                        continue;
                    }
                    due.Add((slot, at));
                    queue.Enqueue(slot, Schedule.NextDue(at, slot.Monitor.Interval, now));
                }
                wait = queue.TryPeek(out _, out var next) ? SleepUntil(next - now) : Timeout.InfiniteTimeSpan;
            }
            foreach (var (slot, at) in due)
            {
                if (owns is not null && !owns(slot.Monitor.Name))
                {
                    continue;
                }
                if (Interlocked.CompareExchange(ref slot.Running, 1, 0) == 0)
                {
                    _ = Task.Run(() => RunSlotAsync(slot, at, cancellationToken), CancellationToken.None);
                }
                else
                {
                    Interlocked.Increment(ref skipped);
                }
            }
            due.Clear();
            timer.Change(wait, Timeout.InfiniteTimeSpan);
            try
            {
                await wake.Signaled.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            wake.Take();
        }
    }

    private async Task RunSlotAsync(Slot slot, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var monitor = slot.Monitor;
        var host = hosts.GetOrAdd(monitor.Host, _ => new SemaphoreSlim(limits.PerHost, limits.PerHost));
        try
        {
            await global.WaitAsync(cancellationToken);
            CheckResult result;
            TimeSpan lateness;
            try
            {
                await host.WaitAsync(cancellationToken);
                try
                {
                    lateness = clock.GetUtcNow() - due;
                    result = await runner.RunAsync(monitor.Definition, cancellationToken);
                }
                finally
                {
                    host.Release();
                }
            }
            finally
            {
                global.Release();
            }
            if (!slot.Removed)
            {
                await onResult(monitor, result, lateness);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Recording a check of monitor {Monitor} failed", monitor.Name);
        }
        finally
        {
            Volatile.Write(ref slot.Running, 0);
        }
    }
}
