namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// Runs <see cref="DispatchAlerts"/> when alerts arrive (<see cref="ReceiveAlerts.Received"/>) and
/// when the next group is due, on the injected clock.
/// </summary>
public sealed class DispatchLoop(DispatchAlerts dispatch, ReceiveAlerts ingest, TimeProvider clock, ILogger<DispatchLoop> logger) : BackgroundService
{
    /// <summary>The longest the loop sleeps, so alerts resolved by their resolve_timeout are seen without new input.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ingest.Received += OnReceived;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = MaxSleep;
                try
                {
                    var next = await dispatch.RunOnceAsync(stoppingToken);
                    if (next is { } due)
                    {
                        delay = TimeSpan.FromTicks(Math.Clamp((due - clock.GetUtcNow()).Ticks, 0, MaxSleep.Ticks));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Dispatching alerts failed; retrying");
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var sleep = Task.Delay(delay, clock, timeout.Token);
                await Task.WhenAny(sleep, wake.WaitAsync(timeout.Token));
                await timeout.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            ingest.Received -= OnReceived;
        }
    }

    private void OnReceived(IReadOnlyList<string> fingerprints)
    {
        dispatch.OnReceived(fingerprints);
        wake.Release();
    }
}
