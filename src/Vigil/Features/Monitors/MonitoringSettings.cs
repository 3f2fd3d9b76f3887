namespace Vigil.Features.Monitors;

/// <summary>How time when Vigil itself was not running counts in uptime.</summary>
public enum VigilDowntime
{
    /// <summary>Unknown: excluded from uptime (default). Nobody was checking.</summary>
    Unknown,
    /// <summary>As the state the monitor was in when Vigil stopped.</summary>
    LastState,
}

/// <summary>The <c>monitoring:</c> section. Concurrency limits are read at start; the uptime rules on every request.</summary>
public sealed class MonitoringSettings
{
    /// <summary>Checks running at once, in all.</summary>
    public int MaxConcurrentChecks { get; set; } = 256;
    /// <summary>Checks running at once against one host:port (politeness).</summary>
    public int MaxConcurrentPerHost { get; set; } = 32;
    public VigilDowntime VigilDowntime { get; set; } = VigilDowntime.Unknown;
    /// <summary>Leave time under a maintenance window out of uptime.</summary>
    public bool ExcludeMaintenance { get; set; } = true;
}
