using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// Escalates pages on time: sleeps until the earliest <see cref="StoredPage.NextEscalationAt"/>
/// (or until a page changes), then moves every due page on, each in its own unit of work. All it
/// knows is in the database, so after a restart it picks up where it stopped; a page that fell due
/// while the server was down escalates at once. With several replicas, the row's version makes
/// sure only one of them moves a page on (the other's attempt, with its notifications, is rolled back);
/// only the holder of the <c>escalation</c> lease runs passes, and its writes are fenced by the lease.
/// </summary>
public sealed class EscalationLoop(IServiceScopeFactory scopes, EscalationSignal signal, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<EscalationLoop> logger) : BackgroundService
{
    public const string Lease = "escalation";

    /// <summary>Looks again at least this often, for pages changed by another replica.</summary>
    public static readonly TimeSpan LongestSleep = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Hosting.TimedLoop.RunAsync(cluster.UnderLease(Lease, RunDueAsync), signal.Changed, LongestSleep, clock, logger, "Escalating pages failed", stoppingToken);

    /// <returns>How long until the next page is due (at most <see cref="LongestSleep"/>).</returns>
    private async Task<TimeSpan> RunDueAsync(CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        List<long> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            due = await db.Set<StoredPage>().AsNoTracking().Where(p => p.NextEscalationAt != null && p.NextEscalationAt <= now)
                .OrderBy(p => p.NextEscalationAt).Select(p => p.Id).ToListAsync(stoppingToken);
        }
        foreach (var id in due)
        {
            await EscalateOneAsync(id, now, stoppingToken);
        }
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var next = await db.Set<StoredPage>().AsNoTracking().Where(p => p.NextEscalationAt != null)
                .OrderBy(p => p.NextEscalationAt).Select(p => p.NextEscalationAt).FirstOrDefaultAsync(stoppingToken);
            var until = next is { } at ? at - clock.GetUtcNow() : LongestSleep;
            return until < TimeSpan.Zero ? TimeSpan.Zero : until > LongestSleep ? LongestSleep : until;
        }
    }

    private async Task EscalateOneAsync(long id, DateTimeOffset now, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var paging = scope.ServiceProvider.GetRequiredService<PageEscalation>();
        try
        {
            var page = await db.Set<StoredPage>().SingleOrDefaultAsync(p => p.Id == id, stoppingToken);
            if (page is null)
            {
                return;
            }
            await paging.EscalateAsync(db, page, now, stoppingToken);
            // One SaveChanges is one transaction: the page's new state, its notifications and the observers' writes commit together.
            await db.SaveChangesAsync(stoppingToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            logger.LogInformation("Page {Id} changed while it was escalated (acknowledged, or another replica got to it); looking again", id);
        }
    }
}
