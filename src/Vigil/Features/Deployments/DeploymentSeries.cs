using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Metrics;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Deployments;

/// <summary>
/// Writes the deployment records into the sample store, so PromQL, rules and SLOs can use them, every
/// <see cref="Period"/> on the replica holding the <c>deployments/series</c> lease:
/// <list type="bullet">
/// <item><c>vigil_deployments_total{service,environment,status}</c>: how many deployments of the service to
/// the environment entered each status (<c>pending</c> recorded, <c>in_progress</c> started, <c>succeeded</c>,
/// <c>failed</c>, <c>rolled_back</c>), counted from the lifecycle rows, so it only grows and every replica
/// would write the same value;</item>
/// <item><c>vigil_deployment_info{service,environment,version,previous_version,strategy,status,deployment_id} 1</c>
/// for the latest deployment of each service and environment; when its labels change (a new deployment, a
/// new status) the old series gets a staleness marker, as Prometheus ends a series that disappears from a scrape.</item>
/// </list>
/// </summary>
public sealed class DeploymentSeries(IServiceProvider services, ISampleStore store, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<DeploymentSeries> logger) : BackgroundService
{
    public const string Lease = "deployments/series";
    public const string Total = "vigil_deployments_total";
    public const string Info = "vigil_deployment_info";
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim writing = new(1, 1);
    private Dictionary<(string Service, string Environment), Labels> infos = [];
    private long lastMs;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        cluster.RunEveryAsync(Lease, Period, WriteAsync, clock, logger, "Writing the deployment series failed", stoppingToken);

    /// <summary>One pass: the counters and info series as the records stand now, at the clock's now.</summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        await writing.WaitAsync(cancellationToken);
        try
        {
            // Strictly after the last pass: the store keeps the first sample of a timestamp, and a pass
            // asked for right after a change must not lose to the loop's pass of the same instant.
            var ms = lastMs = Math.Max(clock.GetUtcNow().ToUnixTimeMilliseconds(), lastMs + 1);
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var counts = await db.Set<DeploymentTransition>().AsNoTracking()
                .Join(db.Set<Deployment>(), t => t.DeploymentId, d => d.Id, (t, d) => new { d.Service, d.Environment, t.To })
                .GroupBy(x => new { x.Service, x.Environment, x.To })
                .Select(g => new { g.Key.Service, g.Key.Environment, g.Key.To, Count = g.Count() })
                .ToListAsync(cancellationToken);
            var latestIds = await db.Set<Deployment>().AsNoTracking()
                .GroupBy(d => new { d.Service, d.Environment })
                .Select(g => g.Max(d => d.Id))
                .ToListAsync(cancellationToken);
            var latest = await db.Set<Deployment>().AsNoTracking().Where(d => latestIds.Contains(d.Id)).ToListAsync(cancellationToken);

            var appender = store.Appender();
            foreach (var pair in counts.GroupBy(c => (c.Service, c.Environment)))
            {
                // Every status is written, at 0 until the first deployment enters it, so increase() and
                // offset comparisons see the counter from its start.
                foreach (var status in DeploymentStatus.All)
                {
                    var count = pair.Where(c => c.To == status).Sum(c => c.Count);
                    appender.Append(Labels.Of("__name__", Total, "environment", pair.Key.Environment, "service", pair.Key.Service, "status", status), ms, count);
                }
            }
            var written = new Dictionary<(string, string), Labels>();
            foreach (var d in latest)
            {
                var labels = InfoLabels(d);
                written[(d.Service, d.Environment)] = labels;
                appender.Append(labels, ms, 1);
            }
            foreach (var (key, old) in infos)
            {
                if (!written.TryGetValue(key, out var now) || !now.Equals(old))
                {
                    appender.Append(old, ms, Sample.StaleNaN);
                }
            }
            await appender.CommitAsync(cancellationToken);
            infos = written;
        }
        finally
        {
            writing.Release();
        }
    }

    public static Labels InfoLabels(Deployment d)
    {
        var labels = Labels.Of(
            "__name__", Info,
            "deployment_id", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "environment", d.Environment,
            "service", d.Service,
            "status", d.Status,
            "strategy", d.Strategy,
            "version", d.Version);
        // An empty label is no label in Prometheus: a first deployment has no previous_version.
        return d.PreviousVersion is { Length: > 0 } previous ? labels.With("previous_version", previous) : labels;
    }

    public override void Dispose()
    {
        writing.Dispose();
        base.Dispose();
    }
}
