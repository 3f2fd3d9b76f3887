using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Hosting;

namespace Vigil.Features.Monitors;

/// <summary>
/// <c>POST /api/monitors/{name}/check</c> runs a check now and records it like a scheduled one;
/// <c>POST .../pause</c> and <c>.../resume</c> stop and restart checking (allowed for config
/// monitors too: pausing is operational state, not definition). Paused time is not uptime or downtime.
/// </summary>
public static class RunMonitor
{
    public sealed record CheckAnswer(MonitorStatus Result, string Reason, double DurationSeconds, MonitorStatus Status, IReadOnlyList<ComponentResult> Components);

    public static async Task<Results<Ok<CheckAnswer>, ProblemHttpResult>> CheckNow(
        string name, VigilDbContext db, CheckRunner runner, RecordCheckResult record, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var monitor = await db.Set<StoredMonitor>().AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        if (monitor is null)
        {
            return Problems.NotFound($"no monitor named \"{name}\"");
        }
        var definition = monitor.Definition(secrets);
        var result = await runner.RunAsync(definition, cancellationToken);
        var state = await record.RecordAsync(definition, result, TimeSpan.Zero, waitForSave: true);
        return TypedResults.Ok(new CheckAnswer(result.Status, result.Reason, result.Duration.TotalSeconds, state.Status, result.Components));
    }

    public static Task<Results<Ok<MonitorView>, ProblemHttpResult>> Pause(string name, VigilDbContext db, AuditLog audit, MonitorLoop loop, RecordCheckResult record, MonitorStates states, SecretProtector secrets, CancellationToken cancellationToken) =>
        SetPausedAsync(name, true, db, audit, loop, record, states, secrets, cancellationToken);

    public static Task<Results<Ok<MonitorView>, ProblemHttpResult>> Resume(string name, VigilDbContext db, AuditLog audit, MonitorLoop loop, RecordCheckResult record, MonitorStates states, SecretProtector secrets, CancellationToken cancellationToken) =>
        SetPausedAsync(name, false, db, audit, loop, record, states, secrets, cancellationToken);

    private static async Task<Results<Ok<MonitorView>, ProblemHttpResult>> SetPausedAsync(
        string name, bool paused, VigilDbContext db, AuditLog audit, MonitorLoop loop, RecordCheckResult record, MonitorStates states, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var monitor = await db.Set<StoredMonitor>().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        if (monitor is null)
        {
            return Problems.NotFound($"no monitor named \"{name}\"");
        }
        monitor.Paused = paused;
        audit.Record(paused ? "pause" : "resume", "monitor", monitor.Name);
        await db.SaveChangesAsync(cancellationToken);
        await record.SetStatusAsync(monitor.Definition(secrets), paused ? MonitorStatus.Paused : MonitorStatus.Unknown, paused ? "paused" : "resumed; waiting for the first check");
        await loop.RefreshAsync(cancellationToken);
        return TypedResults.Ok(MonitorView.From(monitor, states.Get(name), secrets));
    }
}
