using Microsoft.AspNetCore.Http.HttpResults;

namespace Vigil.Features.Server;

/// <summary>
/// <c>GET /api/health</c>: readiness in the seeds' shape (<c>"database": "connected"</c>, one entry per
/// dependency). Overall <c>unhealthy</c> when any core part is unhealthy (HTTP 503), <c>degraded</c>
/// when any part is degraded or a dependency is down, else <c>healthy</c>.
/// </summary>
public static class GetHealth
{
    public sealed record HealthReport(
        string Status,
        DateTimeOffset Timestamp,
        string Version,
        IReadOnlyDictionary<string, string> Components,
        IReadOnlyDictionary<string, string> Dependencies,
        IReadOnlyList<ComponentHealth> Checks);

    public static async Task<JsonHttpResult<HealthReport>> Handle(IEnumerable<IHealthContributor> contributors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var list = contributors.ToList();
        var results = await Task.WhenAll(list.Select(c => c.CheckAsync(cancellationToken)));
        var core = results.Where((_, i) => !list[i].IsDependency).ToList();
        var dependencies = results.Where((_, i) => list[i].IsDependency).ToList();
        var overall = Overall(core.Select(c => c.Level), dependencies.Select(d => d.Level));
        var report = new HealthReport(
            overall.ToString().ToLowerInvariant(),
            clock.GetUtcNow(),
            ProcessClock.Version,
            core.ToDictionary(c => c.Name, c => c.Status),
            dependencies.ToDictionary(d => d.Name, d => d.Status),
            results);
        return TypedResults.Json(report, statusCode: overall == HealthLevel.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    /// <summary>A dependency that is down degrades Vigil; only a core part that is down makes it unhealthy.</summary>
    public static HealthLevel Overall(IEnumerable<HealthLevel> core, IEnumerable<HealthLevel> dependencies)
    {
        var coreLevels = core.ToList();
        if (coreLevels.Contains(HealthLevel.Unhealthy))
        {
            return HealthLevel.Unhealthy;
        }
        return coreLevels.Contains(HealthLevel.Degraded) || dependencies.Any(d => d != HealthLevel.Healthy)
            ? HealthLevel.Degraded
            : HealthLevel.Healthy;
    }
}
