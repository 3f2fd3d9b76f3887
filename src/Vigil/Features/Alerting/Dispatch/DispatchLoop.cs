using Vigil.Features.Cluster;
using Vigil.Hosting;

namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// Runs <see cref="DispatchAlerts"/> when alerts arrive (<see cref="ReceiveAlerts.Received"/>) and
/// when the next group is due, on the injected clock; after an ingest's own pass (one process) it
/// only sets its sleep again. Over several replicas only the holder of the
/// <c>dispatch</c> lease runs passes (fenced by its token); the others look again every TTL/3, and
/// the one that takes the lease over starts from the groups and notification log in the database.
/// </summary>
public sealed class DispatchLoop(DispatchAlerts dispatch, ReceiveAlerts ingest, ClusterMembership cluster, TimeProvider clock, ILogger<DispatchLoop> logger) : BackgroundService
{
    public const string Lease = "dispatch";

    /// <summary>The longest the loop sleeps, so alerts resolved by their resolve_timeout are seen without new input.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(10);

    private readonly WakeSignal wake = new();
    private readonly WakeSignal retime = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ingest.Received += OnReceived;
        dispatch.Retimed += OnRetimed;
        try
        {
            var pass = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                // Alerts posted to another replica do not wake this one: it looks at least every TTL/3.
                var maxSleep = cluster.SingleProcess ? MaxSleep : TimeSpan.FromTicks(Math.Min(MaxSleep.Ticks, cluster.Ttl.Ticks / 3));
                var delay = maxSleep;
                try
                {
                    if (await cluster.HoldAsync(Lease, stoppingToken) is { } grant)
                    {
                        // An ingest's pass routed and flushed its alerts itself: unless a group is due
                        // already, only the sleep changes, to the timers that pass left.
                        var next = dispatch.NextDue;
                        if (pass || next <= clock.GetUtcNow())
                        {
                            using var fence = LeaseFence.Enter(grant);
                            next = await dispatch.RunOnceAsync(stoppingToken);
                        }
                        if (next is { } due)
                        {
                            delay = TimeSpan.FromTicks(Math.Clamp((due - clock.GetUtcNow()).Ticks, 0, maxSleep.Ticks));
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Dispatching alerts failed; retrying");
                }
                var ranOut = await WakeSignal.SleepAsync(delay, clock, stoppingToken, wake, retime);
                // A retiming alone (an ingest's pass ran) only moves the sleep; new alerts, or a sleep
                // that ran out, take a pass.
                var woken = wake.Take();
                var retimed = retime.Take();
                pass = ranOut || woken || !retimed;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            ingest.Received -= OnReceived;
            dispatch.Retimed -= OnRetimed;
        }
    }

    private void OnRetimed() => retime.Set();

    private void OnReceived() => wake.Set();
}
