namespace Vigil.Features.Monitors.Scheduling;

/// <summary>A monitor's state after a result, the failures in a row so far, and whether the state changed.</summary>
public readonly record struct Transition(MonitorStatus Status, int Failures, bool Changed);

/// <summary>
/// Flap suppression: a down result counts only once more than <c>retries</c> failed in a row;
/// until then the monitor keeps its state. Any other result takes effect at once.
/// </summary>
public static class MonitorTransition
{
    public static Transition Next(MonitorStatus current, int failures, MonitorStatus result, int retries)
    {
        if (result == MonitorStatus.Down)
        {
            var count = failures + 1;
            return count > retries ? new(MonitorStatus.Down, count, current != MonitorStatus.Down) : new(current, count, false);
        }
        return new(result, 0, result != current);
    }
}
