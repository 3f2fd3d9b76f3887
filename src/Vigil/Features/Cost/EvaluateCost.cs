using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting;
using Vigil.Metrics;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Cost;

/// <summary>
/// Every <see cref="Period"/>, on the replica holding the <c>cost/evaluation</c> lease (as
/// <see cref="Deployments.DeploymentSeries"/> writes its series):
/// <list type="bullet">
/// <item>writes <c>vigil_cost_usd{service,provider,window="month"}</c>, the month-to-date spend, and
/// <c>vigil_cost_usd{service,provider,window="day"}</c>, the cost of the last complete UTC day, into the sample
/// store (unallocated cost has no <c>service</c> label); a pair that is gone gets a staleness marker;</item>
/// <item>hands <see cref="CostAlerts"/>' findings to routing as <c>CostBudgetForecast</c>, <c>CostDayOverDay</c> and
/// <c>CostOverThreshold</c> alerts (labels <c>service</c> or <c>scope="total"</c>, <c>severity="warning"</c>, source
/// <c>cost</c>); one that no longer holds is resolved on the next pass.</item>
/// </list>
/// </summary>
public sealed class EvaluateCost(IServiceProvider services, ISampleStore store, ConfigReloader config, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<EvaluateCost> logger) : BackgroundService
{
    public const string Lease = "cost/evaluation";
    public const string Series = "vigil_cost_usd";
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim passing = new(1, 1);
    private HashSet<Labels> written = [];
    private Dictionary<Labels, IncomingAlert> firing = [];
    private long lastMs;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        cluster.RunEveryAsync(Lease, Period, PassAsync, clock, logger, "Evaluating cost failed", stoppingToken);

    /// <summary>One pass at the clock's now: the series, then the alerts.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        await passing.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow();
            // Strictly after the last pass: the store keeps the first sample of a timestamp.
            var ms = lastMs = Math.Max(now.ToUnixTimeMilliseconds(), lastMs + 1);
            var settings = config.Current.Config.Cost;
            var month = CostSpend.MonthOf(now);
            var yesterday = CostSpend.DayOf(now).AddDays(-1);
            List<AllocatedCost> costs;
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
                var from = yesterday.AddDays(-1) < month ? yesterday.AddDays(-1) : month;
                costs = await DescribeCostMonth.LoadAsync(db, settings, from, now > month.AddMonths(1) ? month.AddMonths(1) : now.AddDays(1), cancellationToken);
            }
            await WriteSeriesAsync(costs, month, yesterday, now, ms, cancellationToken);

            var alerts = new Dictionary<Labels, IncomingAlert>();
            foreach (var finding in CostAlerts.Evaluate(costs, settings, now))
            {
                var alert = AlertOf(finding, now + (3 * Period));
                alerts[alert.Labels] = alert;
            }
            var resolved = firing.Where(f => !alerts.ContainsKey(f.Key)).Select(f => f.Value with { EndsAt = now });
            List<IncomingAlert> put = [.. alerts.Values, .. resolved];
            firing = alerts;
            if (put.Count > 0)
            {
                await services.GetRequiredService<IAlertIngest>().PutAsync(put, cancellationToken);
            }
        }
        finally
        {
            passing.Release();
        }
    }

    private async Task WriteSeriesAsync(List<AllocatedCost> costs, DateTimeOffset month, DateTimeOffset yesterday, DateTimeOffset now, long ms, CancellationToken cancellationToken)
    {
        var appender = store.Appender();
        var current = new HashSet<Labels>();
        foreach (var (window, from, to) in new[] { ("month", month, now), ("day", yesterday, yesterday.AddDays(1)) })
        {
            foreach (var ((service, provider), value) in CostSpend.Sum(costs, from, to))
            {
                var labels = SeriesLabels(service, provider, window);
                current.Add(labels);
                appender.Append(labels, ms, (double)value);
            }
        }
        foreach (var old in written.Where(l => !current.Contains(l)))
        {
            appender.Append(old, ms, Sample.StaleNaN);
        }
        await appender.CommitAsync(cancellationToken);
        written = current;
    }

    /// <summary>An empty label is no label in Prometheus: unallocated cost has no <c>service</c>, a line without ProviderName no <c>provider</c>.</summary>
    public static Labels SeriesLabels(string service, string provider, string window)
    {
        var labels = Labels.Of("__name__", Series, "window", window);
        labels = service.Length > 0 ? labels.With("service", service) : labels;
        return provider.Length > 0 ? labels.With("provider", provider) : labels;
    }

    public static IncomingAlert AlertOf(CostFinding finding, DateTimeOffset endsAt)
    {
        var labels = Labels.Of("alertname", finding.Alert, "severity", "warning");
        labels = finding.Service is { } service ? labels.With("service", service) : labels.With("scope", "total");
        return new IncomingAlert(labels, Labels.Of("summary", finding.Summary), null, endsAt, "/cost", "cost");
    }

    public override void Dispose()
    {
        passing.Dispose();
        base.Dispose();
    }
}
