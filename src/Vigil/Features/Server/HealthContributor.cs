namespace Vigil.Features.Server;

/// <summary>The health of one part Vigil depends on, as shown by <c>/api/health</c>.</summary>
/// <param name="Name">e.g. <c>database</c>, <c>metrics_store</c>, or a dependency's name.</param>
/// <param name="Status">A word for people: <c>connected</c>, <c>disconnected</c>, <c>ok</c>, <c>degraded</c>.</param>
/// <param name="Level">How it counts toward the overall status.</param>
/// <param name="LatencyMs">How long the check took.</param>
/// <param name="Detail">Why it is not healthy, or extra facts.</param>
public sealed record ComponentHealth(string Name, string Status, HealthLevel Level, double? LatencyMs = null, string? Detail = null);

public enum HealthLevel
{
    Healthy,
    Degraded,
    Unhealthy,
}

/// <summary>Something whose health belongs on <c>/api/health</c>. The database, the metrics store and each configured dependency register one.</summary>
public interface IHealthContributor
{
    /// <summary><c>true</c> for Vigil's own dependencies (listed under <c>dependencies</c>), <c>false</c> for its core parts.</summary>
    bool IsDependency { get; }

    Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken);
}
