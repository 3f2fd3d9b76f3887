using Prometheus;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Metrics;

/// <summary>
/// The PromQL engine's figures on Vigil's <c>/metrics</c>: how long queries take, by kind, and how
/// many samples they load (Prometheus's <c>prometheus_engine_query_duration_seconds</c> and
/// <c>prometheus_engine_query_samples_total</c>, as a histogram so percentiles aggregate).
/// </summary>
public sealed class ExportQueryStats(PromQLEngine engine) : IHostedService
{
    private static readonly Histogram Durations = Prometheus.Metrics.CreateHistogram(
        "vigil_promql_query_duration_seconds", "Evaluation time of PromQL queries, by kind (instant or range).",
        new HistogramConfiguration
        {
            LabelNames = ["kind"],
            Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
        });

    private static readonly Counter SamplesLoaded = Prometheus.Metrics.CreateCounter(
        "vigil_promql_query_samples_loaded_total", "Samples read from the store by PromQL queries, by kind.", "kind");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.QueryCompleted += Record;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        engine.QueryCompleted -= Record;
        return Task.CompletedTask;
    }

    private static void Record(QueryStats stats)
    {
        var kind = stats.Kind == QueryKind.Instant ? "instant" : "range";
        Durations.WithLabels(kind).Observe(stats.Duration.TotalSeconds);
        SamplesLoaded.WithLabels(kind).Inc(stats.SamplesLoaded);
    }
}
