using System.Threading.Channels;

namespace Vigil.Features.Monitors;

/// <summary>"Monitor went down/up/degraded": one event per state change.</summary>
public sealed record MonitorStateChanged(string Monitor, string Service, string? Environment, MonitorStatus From, MonitorStatus To, string Reason, DateTimeOffset At, MonitorType? Type = null, string? Severity = null);

/// <summary>
/// The one in-process channel of monitor state changes, for the alerting slice to read. It holds
/// the newest 10,000 events when nobody reads (oldest dropped), so an absent reader costs bounded memory.
/// </summary>
public sealed class MonitorEvents(ILogger<MonitorEvents> logger)
{
    private readonly Channel<MonitorStateChanged> channel = Channel.CreateBounded<MonitorStateChanged>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = false });

    private readonly List<Channel<MonitorStateChanged>> subscribers = [];
    private readonly Lock gate = new();

    public ChannelReader<MonitorStateChanged> Reader => channel.Reader;

    /// <summary>
    /// A reader of its own that gets every event published from now on (bounded like
    /// <see cref="Reader"/>), for a slice that must not share events with other readers.
    /// </summary>
    public ChannelReader<MonitorStateChanged> Subscribe()
    {
        var subscriber = Channel.CreateBounded<MonitorStateChanged>(
            new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false });
        lock (gate)
        {
            subscribers.Add(subscriber);
        }
        return subscriber.Reader;
    }

    public void Publish(MonitorStateChanged change)
    {
        Hosting.OperatorLog.MonitorStateChanged(logger, change);
        channel.Writer.TryWrite(change);
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Writer.TryWrite(change);
            }
        }
    }
}
