using System.Collections.Concurrent;
using Vigil.Configuration;
using Vigil.Features.Notifications.Channels;

namespace Vigil.Features.Notifications.Delivery;

/// <summary>The channels and <c>notifications:</c> settings in force (replaced on reload), and each channel's live health.</summary>
public sealed class ChannelDirectory : IConfigConsumer
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

    public ChannelHealth HealthOf(string channel) => health.GetOrAdd(channel, _ => new ChannelHealth());
}

/// <summary>How one channel is doing since the process started; the attempts table holds the full record.</summary>
public sealed class ChannelHealth
{
    public int ConsecutiveFailures { get; set; }
    /// <summary>Whether <c>NotificationChannelFailing</c> is firing for it.</summary>
    public bool Failing { get; set; }
}
