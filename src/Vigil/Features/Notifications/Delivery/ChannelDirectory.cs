using System.Collections.Concurrent;
using Vigil.Configuration;
using Vigil.Features.Notifications.Channels;

namespace Vigil.Features.Notifications.Delivery;

/// <summary>
/// Channels that are not in <c>channels:</c> but made on demand by another area: the on-call area's
/// pages to a person's contact method (<c>page:...</c>), which reuse the channel types' senders.
/// </summary>
public interface IChannelSource
{
    /// <summary>The channel called <paramref name="name"/>, or null when this source does not know it.</summary>
    ValueTask<ChannelDefinition?> FindAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The channels and <c>notifications:</c> settings in force (replaced on reload), and each channel's live health.</summary>
public sealed class ChannelDirectory(IEnumerable<IChannelSource> sources) : IConfigConsumer
{
    private readonly ConcurrentDictionary<string, ChannelHealth> health = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ChannelDefinition> Channels { get; private set; } = new Dictionary<string, ChannelDefinition>();

    public NotificationSettings Settings { get; private set; } = new();

    /// <summary>Raised after a reload, so the loops pick up new periods.</summary>
    public event Action? Changed;

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        Channels = config.Channels.Where(c => c.Name is not null).ToDictionary(c => c.Name!, StringComparer.Ordinal);
        Settings = config.Notifications;
        Changed?.Invoke();
        return Task.CompletedTask;
    }

    public ChannelDefinition? Find(string name) => Channels.GetValueOrDefault(name);

    /// <summary>A configured channel, else one an <see cref="IChannelSource"/> makes for the name.</summary>
    public async ValueTask<ChannelDefinition?> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (Find(name) is { } configured)
        {
            return configured;
        }
        foreach (var source in sources)
        {
            if (await source.FindAsync(name, cancellationToken) is { } made)
            {
                return made;
            }
        }
        return null;
    }

    public ChannelHealth HealthOf(string channel) => health.GetOrAdd(channel, _ => new ChannelHealth());
}

/// <summary>How one channel is doing since the process started; the attempts table holds the full record.</summary>
public sealed class ChannelHealth
{
    public int ConsecutiveFailures { get; set; }
    /// <summary>Whether <c>NotificationChannelFailing</c> is firing for it.</summary>
    public bool Failing { get; set; }
}
