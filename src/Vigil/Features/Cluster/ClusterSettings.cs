using Vigil.Configuration;

namespace Vigil.Features.Cluster;

/// <summary>
/// The <c>cluster:</c> section: how replicas over one PostgreSQL share the work (docs/ha-leases.md).
/// Read at start; a reload that changes it takes effect at the next start.
/// </summary>
public sealed class ClusterSettings
{
    /// <summary>
    /// How long a lease lasts without renewal. Renewed every third of it; a replica that dies hands
    /// its loops to another within about one TTL.
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(10);
}

public static class ClusterRules
{
    /// <summary>
    /// Replicas' clocks may be 2 s apart and leases expire on the database's clock; below 3 s a
    /// renewal (every TTL/3) has less than one second to reach the database.
    /// </summary>
    public static readonly TimeSpan MinimumTtl = TimeSpan.FromSeconds(1);

    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        if (config.Cluster.LeaseTtl < MinimumTtl)
        {
            yield return new("cluster.lease_ttl", $"must be at least {Duration.Format(MinimumTtl)}");
        }
    }
}
