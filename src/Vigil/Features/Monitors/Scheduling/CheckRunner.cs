using Vigil.Features.Monitors.Probes;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>Runs one check with its probe under the monitor's timeout, which covers every stage of it.</summary>
public sealed class CheckRunner(IEnumerable<IMonitorProbe> probes, TimeProvider clock)
{
    private readonly Dictionary<MonitorType, IMonitorProbe> byType = probes.ToDictionary(p => p.Type);

    public async Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var timeout = monitor.Timeout ?? MonitorRules.DefaultTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var started = clock.GetTimestamp();
        // Made only when a check times out: a reason string per check is garbage at a thousand checks a second.
        CheckResult TimedOut() => CheckResult.Down($"timeout after {Configuration.Duration.Format(timeout)}", timeout);
        try
        {
            var result = await byType[monitor.Type!.Value].CheckAsync(monitor, linked.Token);
            if (timeoutSource.IsCancellationRequested && result.Status == MonitorStatus.Down)
            {
                return TimedOut();
            }
            return result.Duration == TimeSpan.Zero && monitor.Type != MonitorType.Heartbeat ? result with { Duration = clock.GetElapsedTime(started) } : result;
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TimedOut();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return timeoutSource.IsCancellationRequested ? TimedOut() : CheckResult.Down(HttpExchange.Describe(e), clock.GetElapsedTime(started));
        }
    }
}
