using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Server;

/// <summary>Checks the state database with a round trip (<c>SELECT 1</c>) and reports its latency; damage the database reported at run time makes it unhealthy.</summary>
public sealed class DatabaseHealth(IServiceScopeFactory scopes, DatabaseDamageWatch damage, TimeProvider clock) : IHealthContributor
{
    private static readonly TimeSpan SlowThreshold = TimeSpan.FromSeconds(1);

    public bool IsDependency => false;

    public async Task<ComponentHealth> CheckAsync(CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        if (damage.Found is { } found)
        {
            // SELECT 1 still succeeds on a file damaged in its middle, while every real write fails.
            return new ComponentHealth("database", "damaged", HealthLevel.Unhealthy, Detail:
                $"the database reported damage at {found.At:u}: {found.Reason}. Restore the last backup (docs/backups.md)");
        }
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
