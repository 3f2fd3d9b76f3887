using Vigil.Metrics.Exposition;

namespace Vigil.Features.Metrics;

/// <summary>
/// The metric metadata remote-write senders send (<c>WriteRequest.metadata</c>: type, help and unit
/// per metric family, which Prometheus sends every <c>metadata_config.send_interval</c>, 1m by
/// default), the latest per family and sender-independent, served by
/// <c>/prometheus/api/v1/metadata</c> beside the scrape targets' own. Kept in memory only, as
/// Prometheus keeps its scrape metadata: after a restart it is back with the senders' next send.
/// </summary>
public sealed class RemoteWriteMetadata
{
    /// <summary>At most this many families are kept; beyond that new families are dropped (a sender gone wrong cannot fill the memory).</summary>
    public const int MaxFamilies = 100_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, MetricMetadata> families = new(StringComparer.Ordinal);

    public void Put(IEnumerable<MetricMetadata> metadata)
    {
        lock (gate)
        {
            foreach (var m in metadata)
            {
                if (m.MetricFamilyName.Length > 0 && (families.ContainsKey(m.MetricFamilyName) || families.Count < MaxFamilies))
                {
                    families[m.MetricFamilyName] = m;
                }
            }
        }
    }

    public IReadOnlyList<MetricMetadata> All
    {
        get
        {
            lock (gate)
            {
                return [.. families.Values];
            }
        }
    }
}
