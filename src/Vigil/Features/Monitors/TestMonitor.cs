using Vigil.Features.Monitors.Probes;
using Vigil.Features.Monitors.Scheduling;

namespace Vigil.Features.Monitors;

/// <summary>
/// One run of a monitor definition that is not saved and changes no state: what <c>vigil monitor test</c>
/// prints and the console's "Test now" shows. A heartbeat is skipped, since only the server receiving
/// its pings can judge it.
/// </summary>
public static class TestMonitor
{
    public sealed record Outcome(MonitorStatus? Status, string Reason, TimeSpan Duration, IReadOnlyList<ComponentResult> Components)
    {
        public bool Skipped => Status is null;

        /// <summary>One line as the CLI prints it: <c>DOWN     web: status 500 (0.012s)</c>.</summary>
        public string Line(string name) => Status is { } status
            ? $"{status.ToString().ToUpperInvariant(),-9}{name}: {Reason} ({CheckResult.Seconds(Duration)})"
            : $"{"SKIP",-9}{name}: {Reason}";
    }

    /// <summary>The console's "Test now": the definition is checked as saving it would be, then run once.</summary>
    public static async Task<(Outcome? Outcome, Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? Problem)> ValidateAndRunAsync(
        MonitorDefinition monitor, Data.VigilDbContext db, CheckRunner runner, CancellationToken cancellationToken)
    {
        if (await SaveMonitor.ValidateAsync(monitor, db, cancellationToken) is { } problem)
        {
            return (null, problem);
        }
        return (await RunAsync(monitor, runner, cancellationToken), null);
    }

    public static async Task<Outcome> RunAsync(MonitorDefinition monitor, CheckRunner runner, CancellationToken cancellationToken)
    {
        if (monitor.Type == MonitorType.Heartbeat)
        {
            return new Outcome(null, "a heartbeat is judged by the server that receives its pings", TimeSpan.Zero, []);
        }
        var result = await runner.RunAsync(monitor, cancellationToken);
        return new Outcome(result.Status, result.Reason, result.Duration, result.Components);
    }
}
