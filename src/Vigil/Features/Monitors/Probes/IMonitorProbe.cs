namespace Vigil.Features.Monitors.Probes;

/// <summary>
/// Runs one kind of check once. A probe honours <paramref name="cancellationToken"/> on every
/// stage (the runner cancels it at the monitor's timeout) and never throws for a failing target:
/// it returns a down result with the reason.
/// </summary>
public interface IMonitorProbe
{
    MonitorType Type { get; }

    Task<CheckResult> CheckAsync(MonitorDefinition monitor, CancellationToken cancellationToken);
}
