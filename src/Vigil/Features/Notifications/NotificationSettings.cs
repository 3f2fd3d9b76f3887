namespace Vigil.Features.Notifications;

/// <summary>The <c>notifications:</c> section of vigil.yaml: delivery (retries, deadline), the Watchdog and the outgoing dead-man's-switch heartbeat.</summary>
public sealed class NotificationSettings
{
    /// <summary>How long a notification is retried before it is given up (marked failed).</summary>
    public TimeSpan RetryDeadline { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How long a notification that is done with (delivered, given up, skipped) is kept, with its attempts; then it is deleted.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(90);
    /// <summary>The wait after the first failed attempt; it doubles after each further failure.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>After this many failed attempts in a row a channel counts as failing: it raises <c>NotificationChannelFailing</c> and uses its fallback.</summary>
    public int FailingAfter { get; set; } = 3;
    /// <summary>Puts an always-firing <c>Watchdog</c> alert through routing every minute, so a receiver can page when it stops arriving.</summary>
    public bool Watchdog { get; set; }
    /// <summary>An outgoing heartbeat to a dead man's switch (healthchecks.io and the like): noticed from outside when Vigil stops.</summary>
    public DeadMansSwitchSettings? DeadMansSwitch { get; set; }
}

/// <summary><c>notifications.dead_mans_switch</c>: Vigil calls <see cref="Url"/> every <see cref="Interval"/>.</summary>
public sealed class DeadMansSwitchSettings
{
    public string? Url { get; set; }
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary><c>GET</c> (default) or <c>POST</c>.</summary>
    public string Method { get; set; } = "GET";
}
