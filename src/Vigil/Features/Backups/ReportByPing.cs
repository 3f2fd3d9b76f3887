using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Monitors.Heartbeats;

namespace Vigil.Features.Backups;

/// <summary>
/// A ping of a policy's heartbeat (<c>heartbeat:</c> in the policy) whose body is a JSON object is
/// a backup report: <c>{"kind": "full", "started_at": ..., "finished_at": ..., "size_bytes": ...,
/// "checksum": ..., "location": ..., "status": "success", "log": ...}</c>. A plain ping (no body,
/// or a text log) only beats the heartbeat, as before. A failed backup fails the heartbeat too.
/// </summary>
public sealed class ReportByPing(ConfigReloader config, VigilDbContext db, TimeProvider clock) : IPingBodyReader
{
    public async Task<PingBodyVerdict?> ReadAsync(string heartbeat, string? body, CancellationToken cancellationToken)
    {
        if (body is null || !body.TrimStart().StartsWith('{')
            || ListBackupPolicies.Current(config).FirstOrDefault(p => p.Heartbeat == heartbeat) is not { } policy)
        {
            return null;
        }
        var (request, error) = ReceiveBackupReport.Parse(body);
        if (request is null)
        {
            return new PingBodyVerdict(false, error!.Path, error.Reason);
        }
        if (request.Policy is not null && request.Policy != policy.Name)
        {
            return new PingBodyVerdict(false, "policy", $"this heartbeat reports for \"{policy.Name}\"");
        }
        request.Kind ??= policy.Kinds.Count == 1 ? policy.Kinds[0].Kind : null;
        var (report, invalid) = ReceiveBackupReport.Check(request, policy, "ping", clock.GetUtcNow());
        if (report is null)
        {
            return new PingBodyVerdict(false, invalid!.Path, invalid.Reason);
        }
        db.Add(report);
        await db.SaveChangesAsync(cancellationToken);
        return new PingBodyVerdict(report.Status == "failure");
    }
}
