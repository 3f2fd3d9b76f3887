using Vigil.Metrics.Scrape;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.RemoteWrite.Forwarding;

/// <summary>
/// One <c>remote_write</c> endpoint, with Prometheus's keys and its 2.42 defaults
/// (<c>queue_config</c> as <c>/api/v1/status/config</c> of Prometheus 2.42.0 shows them:
/// capacity 2500, max_shards 200, min_shards 1, max_samples_per_send 500, batch_send_deadline 5s,
/// min_backoff 30ms, max_backoff 5s, and <c>retry_on_http_429</c> off).
/// See https://prometheus.io/docs/prometheus/2.42/configuration/configuration/#remote_write.
/// </summary>
public sealed record RemoteWriteQueueOptions
{
    /// <summary>The queue's name: the <c>remote_name</c> label and the name of its position file.</summary>
    public required string Name { get; init; }

    /// <summary>The endpoint (<c>url</c>).</summary>
    public required Uri Url { get; init; }

    /// <summary>Longest one request may take (<c>remote_timeout</c>).</summary>
    public TimeSpan RemoteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>Authorization</c> header value, read before each request (so a rotated credentials file is picked up); null for none.</summary>
    public Func<string?> Authorization { get; init; } = () => null;

    /// <summary>Relabelling applied to each series before it is sent; a dropped series counts as dropped.</summary>
    public IReadOnlyList<RelabelConfig> WriteRelabelConfigs { get; init; } = [];

    /// <summary>Samples held per shard; a round of the queue reads at most capacity x shards samples from the WAL.</summary>
    public int Capacity { get; init; } = 2500;

    /// <summary>Most requests in flight at once.</summary>
    public int MaxShards { get; init; } = 200;

    /// <summary>Fewest shards.</summary>
    public int MinShards { get; init; } = 1;

    /// <summary>Most samples in one request.</summary>
    public int MaxSamplesPerSend { get; init; } = 500;

    /// <summary>Accepted for compatibility: the queue sends as soon as it has read to the end of the WAL, so no sample waits this long.</summary>
    public TimeSpan BatchSendDeadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait before a retry; doubles on each further one.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Longest wait before a retry.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether a 429 answer is retried (otherwise its samples are dropped as failed).</summary>
    public bool RetryOnHttp429 { get; init; }
}

/// <summary>A queue's counters, named after Prometheus's <c>prometheus_remote_storage_*</c> metrics.</summary>
public sealed record RemoteWriteQueueStats(
    long SamplesTotal,
    long FailedSamplesTotal,
    long RetriedSamplesTotal,
    long DroppedSamplesTotal,
    long HighestReadTimestampMs,
    long HighestSentTimestampMs,
    int Shards,
    WalPosition Position);
