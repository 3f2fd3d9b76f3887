using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting;
using Vigil.Metrics;

namespace Vigil.Features.Backups;

/// <summary>
/// Every minute, on the replica holding the <c>backups/checks</c> lease, runs
/// <see cref="BackupChecks"/> over every policy and hands what it finds to the alert pipeline
/// (routing, silences, notifications) as <c>BackupMissing</c>, <c>BackupRetentionGap</c>,
/// <c>BackupSizeAnomaly</c>, <c>BackupVerificationFailed</c>/<c>Missing</c>, <c>BackupDrillFailed</c>,
/// <c>BackupRtoBreach</c> and <c>BackupDrillOverdue</c> alerts labelled <c>policy</c>, <c>kind</c>, <c>service</c>, source <c>backup</c>. A finding
/// that is gone on the next pass is resolved then.
/// </summary>
public sealed class CheckBackups(IServiceProvider services, ConfigReloader config, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<CheckBackups> logger) : BackgroundService
{
    public const string Lease = "backups/checks";
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, DateTimeOffset> watchedSince = new(StringComparer.Ordinal);
    private Dictionary<string, IncomingAlert> firing = new(StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        cluster.RunEveryAsync(Lease, Period, PassAsync, clock, logger, "Checking backups failed", stoppingToken);

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var alerts = new Dictionary<string, IncomingAlert>(StringComparer.Ordinal);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            foreach (var policy in ListBackupPolicies.Current(config))
            {
                var since = watchedSince.TryGetValue(policy.Name, out var seen) ? seen : watchedSince[policy.Name] = now;
                var findings = (await DescribeBackupPolicy.LoadAsync(db, policy, since, now, 0, cancellationToken)).Findings;
                foreach (var finding in findings)
                {
                    var alert = AlertOf(policy, finding, now + (3 * Period));
                    alerts[$"{finding.Alert}/{policy.Name}/{finding.Kind}"] = alert;
                }
            }
        }
        // What fired on the last pass and no longer does is resolved now.
        var resolved = firing.Where(f => !alerts.ContainsKey(f.Key)).Select(f => f.Value with { EndsAt = now });
        List<IncomingAlert> put = [.. alerts.Values, .. resolved];
        firing = alerts;
        if (put.Count > 0)
        {
            await services.GetRequiredService<IAlertIngest>().PutAsync(put, cancellationToken);
        }
    }

    public static IncomingAlert AlertOf(BackupPolicy policy, BackupFinding finding, DateTimeOffset endsAt)
    {
        var labels = Labels.Of("alertname", finding.Alert, "policy", policy.Name, "kind", finding.Kind, "severity", finding.Severity);
        if (policy.Service is { } service)
        {
            labels = labels.With("service", service);
        }
        return new IncomingAlert(labels, Labels.Of("summary", finding.Detail), null, endsAt, $"/api/backups/policies/{Uri.EscapeDataString(policy.Name)}/reports", "backup");
    }
}
