using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Monitors.Probes;

namespace Vigil.Features.Monitors.Heartbeats;

/// <summary>A heartbeat is not probed over the network: its check reads the pings received and applies <see cref="HeartbeatRules"/>.</summary>
public sealed class HeartbeatProbe(IServiceScopeFactory scopes, Scheduling.MonitorStates states, TimeProvider clock) : IMonitorProbe
{
    public MonitorType Type => MonitorType.Heartbeat;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        // Numbered before the pings are read: a ping saved after this read is judged later, and wins.
        var observation = states.Observe();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var row = await db.Set<StoredMonitor>().AsNoTracking().SingleOrDefaultAsync(x => x.Name == m.Name, cancellationToken);
        if (row is null)
        {
            // `vigil monitor test` and monitors not yet saved have received no pings.
            return new CheckResult(MonitorStatus.Unknown, "a heartbeat is checked by the server that receives its pings", TimeSpan.Zero);
        }
        return Evaluate(row, m, clock.GetUtcNow()) with { Observation = observation };
    }

    public static CheckResult Evaluate(StoredMonitor row, MonitorDefinition m, DateTimeOffset now)
    {
        var cron = m.Cron is not null && MonitorRules.TryCron(m.Cron, out var c) ? c : null;
        var pings = new HeartbeatPings(row.CreatedAt, row.LastSuccessPing, row.LastStartPing, row.LastFailPing, row.LastPingBody);
        return HeartbeatRules.Evaluate(pings, m.Period, cron, m.Grace ?? HeartbeatRules.DefaultGrace, m.MaxDuration, now);
    }
}
