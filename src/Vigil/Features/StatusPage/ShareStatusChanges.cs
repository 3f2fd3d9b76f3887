using Vigil.Data;
using Vigil.Features.Server;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

/// <summary>
/// The status-page cache invalidated on every replica. A change made here (an incident, a monitor's
/// state, a maintenance window, a page's definition: whatever raises <see cref="StatusChanges"/>)
/// moves a version in the database at once; every replica reads it every <see cref="PollEvery"/>
/// and, when another replica moved it, drops its cached renderings. A visitor therefore sees a
/// change on any replica within <see cref="PollEvery"/>, besides the cache's own one-minute refresh.
/// </summary>
public sealed class ShareStatusChanges : BackgroundService
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(2);

    private readonly StatusChanges changes;
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider clock;
    private readonly ILogger<ShareStatusChanges> logger;
    private readonly WakeSignal wake = new();
    private readonly SemaphoreSlim gate = new(1, 1);
    private int pending;
    private long seen = -1;

    public ShareStatusChanges(StatusChanges changes, IServiceScopeFactory scopes, TimeProvider clock, ILogger<ShareStatusChanges> logger)
    {
        this.changes = changes;
        this.scopes = scopes;
        this.clock = clock;
        this.logger = logger;
        changes.ChangedHere += () =>
        {
            Interlocked.Exchange(ref pending, 1);
            wake.Set();
        };
    }

    /// <summary>One pass: publish a change made here, or pick up one made elsewhere.</summary>
    public async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            long current;
            if (Interlocked.Exchange(ref pending, 0) == 1)
            {
                current = await SharedVersion.BumpAsync(db, SharedVersion.StatusPages, null, clock.GetUtcNow(), cancellationToken);
                // Our own bump counts one; more means another replica changed something meanwhile.
                if (seen >= 0 && current > seen + 1)
                {
                    changes.RaiseFromReplica();
                }
            }
            else
            {
                current = (await SharedVersion.ReadAsync(db, SharedVersion.StatusPages, cancellationToken))?.Version ?? 0;
                if (seen >= 0 && current > seen)
                {
                    changes.RaiseFromReplica();
                }
            }
            seen = current;
        }
        finally
        {
            gate.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        TimedLoop.RunAsync(
            async ct =>
            {
                await SyncOnceAsync(ct);
                return PollEvery;
            },
            wake, PollEvery, clock, logger, "Sharing status page changes failed", stoppingToken);
}
