using System.Text;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Monitors.Scheduling;

namespace Vigil.Features.Monitors.Heartbeats;

/// <summary>
/// <c>/ping/{token}</c> (success), <c>/ping/{token}/start</c> and <c>/ping/{token}/fail</c>, by GET,
/// HEAD or POST, with no login: the token is the secret, as in healthchecks.io. A POST body (first
/// 10 KB) is kept as the job's last log. The heartbeat's state is judged at once.
/// </summary>
public static class ReceivePing
{
    public const int MaxLogBytes = 10 * 1024;

    public static async Task<IResult> Handle(string token, string? kind, HttpRequest request, VigilDbContext db, RecordCheckResult record, MonitorStates states, SecretProtector secrets, TimeProvider clock, IEnumerable<IPingBodyReader> readers, CancellationToken cancellationToken)
    {
        if (kind is not (null or "start" or "fail"))
        {
            return Results.NotFound();
        }
        var monitor = await db.Set<StoredMonitor>().SingleOrDefaultAsync(m => m.Token == ApiToken.HashOf(token), cancellationToken);
        if (monitor is null)
        {
            return Results.Text("not found\n", statusCode: StatusCodes.Status404NotFound);
        }
        var log = await ReadLogAsync(request, cancellationToken);
        // Another area may read the body (a backup job's report): a refused body is not counted.
        foreach (var reader in kind == "start" ? [] : readers)
        {
            if (await reader.ReadAsync(monitor.Name, log, cancellationToken) is { } verdict)
            {
                if (verdict.Refused)
                {
                    return Hosting.Problems.Field(verdict.Field!, verdict.Reason!);
                }
                kind = verdict.Failed ? "fail" : kind;
            }
        }
        var now = clock.GetUtcNow();
        switch (kind)
        {
            case "start":
                monitor.LastStartPing = now;
                break;
            case "fail":
                monitor.LastFailPing = now;
                break;
            default:
                monitor.LastSuccessPing = now;
                break;
        }
        if (log is not null || kind != "start")
        {
            monitor.LastPingBody = log;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (!monitor.Paused)
        {
            var definition = monitor.Definition(secrets);
            // Numbered after the ping is saved: a scheduled check that read the pings before it cannot undo it.
            var result = HeartbeatProbe.Evaluate(monitor, definition, now) with { Observation = states.Observe() };
            await record.RecordAsync(definition, result, TimeSpan.Zero, waitForSave: true);
        }
        return Results.Text("OK\n");
    }

    private static async Task<string?> ReadLogAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method) && !HttpMethods.IsPut(request.Method))
        {
            return null;
        }
        var buffer = new byte[MaxLogBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }
        return total == 0 ? null : Encoding.UTF8.GetString(buffer, 0, total);
    }
}
