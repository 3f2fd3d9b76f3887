using Vigil.Data;

namespace Vigil.Hosting;

/// <summary>A slice's history that is kept for a configured time and then deleted (alert history, finished notifications).</summary>
public interface IHistoryPruner
{
    /// <summary>What it prunes, for the log.</summary>
    string Name { get; }

    /// <summary>Deletes what has outlived its retention at <paramref name="now"/>; returns how many rows went.</summary>
    Task<int> PruneAsync(VigilDbContext db, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Once an hour, on the injected clock, every registered <see cref="IHistoryPruner"/> deletes what
/// has outlived its retention, so the database stops growing once the retention is reached (the
/// soak in bench/soak measures it). Deleting is idempotent, so replicas may all run it.
/// </summary>
public sealed class PruneHistory(IServiceScopeFactory scopes, IEnumerable<IHistoryPruner> pruners, TimeProvider clock, ILogger<PruneHistory> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        TimedLoop.RunAsync(PassAsync, null, Interval, clock, logger, "Pruning history failed", stoppingToken);

    public async Task<TimeSpan> PassAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var pruner in pruners)
        {
            await using var scope = scopes.CreateAsyncScope();
            var deleted = await pruner.PruneAsync(scope.ServiceProvider.GetRequiredService<VigilDbContext>(), now, cancellationToken);
            if (deleted > 0)
            {
                logger.LogInformation("Pruned {Count} rows of {History} past their retention", deleted, pruner.Name);
            }
        }
        return Interval;
    }
}
