using System.Globalization;
using Vigil.Features.Server;

namespace Vigil.Features.Metrics;

/// <summary>
/// The System page's "Metrics forwarding" table: each <c>metrics.remote_write</c> queue with what
/// it sent, retried, failed and dropped, and how far it lags behind the newest sample read from the
/// WAL (the same numbers as its <c>prometheus_remote_storage_*</c> series).
/// </summary>
public sealed class ForwardingSection(ForwardSamples forward) : ISystemSection
{
    public int Order => 20;

    public Task<IReadOnlyList<SystemTable>> ReadAsync(CancellationToken cancellationToken)
    {
        var rows = forward.Queues.Select(queue =>
        {
            var stats = queue.Stats;
            var lag = stats.HighestReadTimestampMs > 0 && stats.HighestSentTimestampMs > 0
                ? TimeSpan.FromMilliseconds(Math.Max(0, stats.HighestReadTimestampMs - stats.HighestSentTimestampMs))
                : (TimeSpan?)null;
            var healthy = stats.FailedSamplesTotal == 0 && (lag is null || lag < TimeSpan.FromMinutes(1));
            return new SystemRow(
                [queue.Options.Name, Redacted(queue.Options.Url), N(stats.SamplesTotal), N(stats.RetriedSamplesTotal), N(stats.FailedSamplesTotal), N(stats.DroppedSamplesTotal),
                    N(stats.Shards), lag is { } l ? $"{l.TotalSeconds:0.0} s" : "–"],
                healthy ? "up" : "down", healthy ? "sending" : "behind");
        }).ToList();
        IReadOnlyList<SystemTable> tables =
        [
            new("forwarding", "Metrics forwarding",
                "Samples copied from the embedded store's WAL to each metrics.remote_write endpoint (docs/ha.md). Lag is the newest sample read minus the newest sent.",
                ["Queue", "URL", "Sent", "Retried", "Failed", "Dropped", "Shards", "Lag"], rows,
                "no metrics.remote_write endpoint: samples stay in the embedded store"),
        ];
        return Task.FromResult(tables);
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The URL without credentials or query (a token may be in either).</summary>
    private static string Redacted(Uri url) => new UriBuilder(url) { UserName = "", Password = "", Query = "" }.Uri.ToString();
}
