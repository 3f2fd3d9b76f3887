using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Server;

/// <summary>Checks the state database with a round trip (<c>SELECT 1</c>) and reports its latency.</summary>
public sealed class DatabaseHealth(IServiceScopeFactory scopes, TimeProvider clock) : IHealthContributor
{
    private static readonly TimeSpan SlowThreshold = TimeSpan.FromSeconds(1);

    public bool IsDependency => false;

    public async Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            var elapsed = clock.GetElapsedTime(started);
            return new ComponentHealth("database", "connected", elapsed > SlowThreshold ? HealthLevel.Degraded : HealthLevel.Healthy, elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ComponentHealth("database", "disconnected", HealthLevel.Unhealthy, clock.GetElapsedTime(started).TotalMilliseconds, e.Message);
        }
    }
}
