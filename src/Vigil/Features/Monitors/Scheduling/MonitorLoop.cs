using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>The <c>monitoring:</c> settings in force (replaced on reload).</summary>
public sealed class MonitoringOptions
{
    public MonitoringSettings Settings { get; set; } = new();
}

/// <summary>
/// The background loop: loads the monitors from the database, runs them on the scheduler, writes
/// results, and records that Vigil is running (a <see cref="VigilRun"/> whose end moves every minute).
/// API and config changes call <see cref="RefreshAsync"/>. Over several replicas each runs its share
/// of the monitors (rendezvous hashing over the live members).
/// </summary>
public sealed class MonitorLoop(
    IServiceScopeFactory scopes, CheckRunner runner, RecordCheckResult record, MonitorStates states,
    StateChangeWriter stateWriter, SampleWriter sampleWriter, MonitoringOptions options, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<MonitorLoop> logger) : BackgroundService
{
    public static readonly TimeSpan RunHeartbeat = TimeSpan.FromMinutes(1);

    private CheckScheduler? scheduler;
    private IReadOnlyList<string> lastMembers = [];

    public CheckScheduler? Scheduler => scheduler;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Settings;
        scheduler = new CheckScheduler(runner, clock, new ConcurrencyLimits(settings.MaxConcurrentChecks, settings.MaxConcurrentPerHost),
            (m, result, lateness) => record.RecordAsync(m.Definition, result, lateness, waitForSave: false), logger,
            // Monitors are split over the live replicas (docs/ha-leases.md); on one process it owns them all.
            cluster.SingleProcess ? null : name => cluster.Owns("monitor/" + name));
        await RefreshAsync(stoppingToken);
        lastMembers = cluster.Members;
        cluster.MembersChanged += TakeOverFromGoneMembers;
        try
        {
            await Task.WhenAll(
                scheduler.RunAsync(stoppingToken),
                stateWriter.RunAsync(stoppingToken),
                sampleWriter.RunAsync(stoppingToken),
                RecordRunningAsync(stoppingToken));
        }
        finally
        {
            cluster.MembersChanged -= TakeOverFromGoneMembers;
        }
    }

    /// <summary>
    /// A replica is gone and some of its monitors are now this replica's: those whose last check is
    /// an interval old are checked at once, so a failover leaves no monitor unchecked for two intervals.
    /// The gone replica was live at this replica's previous membership read (a TTL/3 ago), that is its
    /// heartbeat was younger than a TTL then: it ran its slots up to 4/3 TTL ago.
    /// </summary>
    private void TakeOverFromGoneMembers()
    {
        var previous = lastMembers;
        var current = cluster.Members;
        lastMembers = current;
        var gone = previous.Except(current, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        if (gone.Count == 0 || scheduler is null)
        {
            return;
        }
        var ownerLastAlive = clock.GetUtcNow() - (cluster.Ttl * 4 / 3);
        var checkedNow = scheduler.CatchUp(
            name => Cluster.RendezvousHash.OwnerOf("monitor/" + name, previous) is { } owner && gone.Contains(owner) && cluster.Owns("monitor/" + name), ownerLastAlive);
        if (checkedNow.Count > 0)
        {
            logger.LogInformation("Took over {Count} monitors from {Gone}; checking now those unchecked for an interval: {Monitors}",
                checkedNow.Count, string.Join(", ", gone), string.Join(", ", checkedNow));
        }
    }

    /// <summary>Loads the monitors again and hands them to the scheduler; live states of new monitors come from their last recorded change.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<Access.SecretProtector>();
        var rows = await db.Set<StoredMonitor>().AsNoTracking().ToListAsync(cancellationToken);
        var unseen = rows.Where(r => !states.Contains(r.Name)).Select(r => r.Name).ToList();
        if (unseen.Count > 0)
        {
            var lastIds = await db.Set<StateChange>().Where(s => unseen.Contains(s.Monitor)).GroupBy(s => s.Monitor).Select(g => g.Max(s => s.Id)).ToListAsync(cancellationToken);
            var last = await db.Set<StateChange>().AsNoTracking().Where(s => lastIds.Contains(s.Id)).ToListAsync(cancellationToken);
            foreach (var change in last)
            {
                var state = states.Get(change.Monitor);
                state.Status = change.Status;
                state.Since = change.At;
                state.Reason = change.Reason;
            }
        }
        scheduler?.Set(rows.Where(r => !r.Paused).Select(r => new ScheduledMonitor(r.Definition(secrets), r.DefinitionJson)));
    }

    private async Task RecordRunningAsync(CancellationToken stoppingToken)
    {
        var run = new VigilRun { StartedAt = clock.GetUtcNow(), LastSeenAt = clock.GetUtcNow() };
        await SaveRunAsync(run, added: true);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(RunHeartbeat, clock, stoppingToken);
                run.LastSeenAt = clock.GetUtcNow();
                await SaveRunAsync(run, added: false);
            }
        }
        catch (OperationCanceledException)
        {
            run.LastSeenAt = clock.GetUtcNow();
            await SaveRunAsync(run, added: false);
        }
    }

    private async Task SaveRunAsync(VigilRun run, bool added)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            if (added)
            {
                db.Add(run);
            }
            else
            {
                db.Attach(run).Property(r => r.LastSeenAt).IsModified = true;
            }
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Recording that Vigil is running failed");
        }
    }
}
