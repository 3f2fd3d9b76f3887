using Prometheus;
using Vigil.Metrics.RemoteWrite.Forwarding;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Features.Metrics;

/// <summary>
/// <c>metrics.remote_write</c>: one <see cref="RemoteWriteQueue"/> per endpoint, reading the
/// embedded store's WAL, so every sample Vigil ingests (remote-write receive, scrapes, its own
/// samples) reaches the external store; started with the server and stopped before the store
/// closes. Their counters are on <c>/metrics</c> under Prometheus's names
/// (<c>prometheus_remote_storage_*</c>, labels <c>remote_name</c> and <c>url</c>). Requests go
/// through the outbound policy like every other request Vigil makes.
/// </summary>
public sealed class ForwardSamples(ISampleStore store, Hosting.ServeOptions options, IHttpClientFactory http, TimeProvider clock, ILogger<ForwardSamples> logger) : IHostedService
{
    private static readonly string[] LabelNames = ["remote_name", "url"];
    private static readonly Counter Samples = Prometheus.Metrics.CreateCounter("prometheus_remote_storage_samples_total", "Total number of samples sent to remote storage.", LabelNames);
    private static readonly Counter Failed = Prometheus.Metrics.CreateCounter("prometheus_remote_storage_samples_failed_total", "Total number of samples which failed on send to remote storage, non-recoverable errors.", LabelNames);
    private static readonly Counter Retried = Prometheus.Metrics.CreateCounter("prometheus_remote_storage_samples_retried_total", "Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.", LabelNames);
    private static readonly Counter Dropped = Prometheus.Metrics.CreateCounter("prometheus_remote_storage_samples_dropped_total", "Total number of samples which were dropped after being read from the WAL before being sent via remote write, either via relabelling or because of an unknown reference ID.", LabelNames);
    private static readonly Gauge HighestRead = Prometheus.Metrics.CreateGauge("prometheus_remote_storage_highest_timestamp_in_seconds", "Highest timestamp read from the WAL by the queue, in seconds since epoch.", LabelNames);
    private static readonly Gauge HighestSent = Prometheus.Metrics.CreateGauge("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.", LabelNames);
    private static readonly Gauge Shards = Prometheus.Metrics.CreateGauge("prometheus_remote_storage_shards", "The number of shards used for parallel sending to the remote storage.", LabelNames);

    private readonly List<RemoteWriteQueue> queues = [];
    private volatile bool running;

    /// <summary>The queues running now.</summary>
    public IReadOnlyList<RemoteWriteQueue> Queues => queues;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoints = ScrapeSettingsRules.ToRemoteWrite(options.Metrics);
        if (endpoints.Count == 0)
        {
            return Task.CompletedTask;
        }
        if (store is not TsdbStore tsdb)
        {
            logger.LogWarning("metrics.remote_write needs the embedded store's WAL; nothing is forwarded");
            return Task.CompletedTask;
        }
        foreach (var endpoint in endpoints)
        {
            var name = endpoint.Name;
            queues.Add(RemoteWriteQueue.Start(tsdb, endpoint, http.CreateClient("remote-write"), clock, message => logger.LogWarning("{Message}", message)));
            logger.LogInformation("Forwarding samples to remote_write {Name} ({Url})", name, endpoint.Url);
        }
        running = true;
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(Export);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        running = false;
        foreach (var queue in queues)
        {
            await queue.DisposeAsync();
        }
    }

    private void Export()
    {
        if (!running)
        {
            return;
        }
        foreach (var queue in queues)
        {
            var s = queue.Stats;
            string[] labels = [queue.Options.Name, queue.Options.Url.ToString()];
            Samples.WithLabels(labels).IncTo(s.SamplesTotal);
            Failed.WithLabels(labels).IncTo(s.FailedSamplesTotal);
            Retried.WithLabels(labels).IncTo(s.RetriedSamplesTotal);
            Dropped.WithLabels(labels).IncTo(s.DroppedSamplesTotal);
            HighestRead.WithLabels(labels).Set(s.HighestReadTimestampMs / 1000.0);
            HighestSent.WithLabels(labels).Set(s.HighestSentTimestampMs / 1000.0);
            Shards.WithLabels(labels).Set(s.Shards);
        }
    }
}
