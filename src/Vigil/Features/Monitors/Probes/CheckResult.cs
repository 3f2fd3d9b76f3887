namespace Vigil.Features.Monitors;

/// <summary>A monitor's state. <c>Unknown</c> until the first result, and while Vigil was not running.</summary>
public enum MonitorStatus
{
    Unknown,
    Up,
    Degraded,
    Down,
    Paused,
}

/// <summary>One part of a dependency-health answer (<c>database</c>: connected).</summary>
public sealed record ComponentResult(string Name, MonitorStatus Status, string Value);

/// <summary>The outcome of one check, with the reason a person reads ("status 503", "timeout after 10s").</summary>
public sealed record CheckResult(MonitorStatus Status, string Reason, TimeSpan Duration)
{
    /// <summary>Seconds until the presented certificate expires, for TLS and HTTPS checks.</summary>
    public double? CertificateExpirySeconds { get; init; }
    public IReadOnlyList<ComponentResult> Components { get; init; } = [];
    /// <summary>The numbers a monitor's <c>json_samples</c> named, by name.</summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// When a heartbeat's pings were read for this result, in the order <see cref="Scheduling.MonitorStates.Observe"/>
    /// gives: a result read before the one that last set the state (a scheduled check that read the
    /// pings just before a ping was saved, and is recorded just after it) is history, not a new state.
    /// 0 for results that are not ordered so (network checks).
    /// </summary>
    public long Observation { get; init; }

    public static CheckResult Up(string reason, TimeSpan duration) => new(MonitorStatus.Up, reason, duration);
    public static CheckResult Down(string reason, TimeSpan duration) => new(MonitorStatus.Down, reason, duration);

    /// <summary>Up, or degraded when slower than the threshold.</summary>
    public static CheckResult UpUnless(TimeSpan? degradedAfter, string reason, TimeSpan duration) =>
        degradedAfter is { } limit && duration > limit
            ? new(MonitorStatus.Degraded, $"slow: {Seconds(duration)} > {Seconds(limit)}", duration)
            : Up(reason, duration);

    public static string Seconds(TimeSpan t) => t.TotalSeconds >= 1
        ? $"{t.TotalSeconds:0.##}s"
        : $"{t.TotalMilliseconds:0}ms";
}
