using System.Threading.Channels;
using Vigil.Metrics;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// Appends each result as samples: <c>vigil_monitor_up</c> (1 up or degraded, 0 down),
/// <c>vigil_monitor_duration_seconds</c>, for TLS checks <c>vigil_monitor_cert_expiry_seconds</c>,
/// and the numbers of a JSON answer a monitor names in <c>json_samples</c> as <c>vigil_monitor_json_value{field}</c>,
/// labelled <c>service</c>, <c>monitor</c> and <c>environment</c>; committed in batches.
/// A batch is what arrived in <see cref="Linger"/> (or <see cref="BatchSize"/> samples, or until a
/// <see cref="Flush"/>): every commit waits for a WAL fsync, and committing as samples come made
/// one fsync every few checks at 10,000 monitors. Samples are history, not state: a crash loses at
/// most the last <see cref="Linger"/> of them; state changes are written by <see cref="StateChangeWriter"/>.
/// </summary>
public sealed class SampleWriter(ISampleStore store, TimeProvider clock, ILogger<SampleWriter> logger)
{
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);
    public const int BatchSize = 10_000;

    public const string Up = "vigil_monitor_up";
    public const string Duration = "vigil_monitor_duration_seconds";
    public const string CertificateExpiry = "vigil_monitor_cert_expiry_seconds";
    public const string JsonValue = "vigil_monitor_json_value";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Metric, string Service, string Monitor, string? Environment), Labels> labels = new();
    private readonly Channel<(Labels Labels, long Ms, double Value)> pending = Channel.CreateUnbounded<(Labels, long, double)>(new UnboundedChannelOptions { SingleReader = true });
    private long queued;
    private TaskCompletionSource flush = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the next commit ends: the one that begins after it was read, so it takes every sample added before that.</summary>
    private TaskCompletionSource nextCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Commits what is pending now instead of at the end of the linger.</summary>
    public void Flush() => Volatile.Read(ref flush).TrySetResult();

    /// <summary>
    /// Commits what is pending now and completes once the samples added before this call are
    /// committed: a check someone asked for (an API check, a heartbeat's ping) answers only once
    /// its samples can be queried (an SLO on the monitor, a chart).
    /// </summary>
    public Task FlushAsync()
    {
        if (!running)
        {
            // No commit loop (not started, or stopped): nobody would complete the wait.
            Flush();
            return Task.CompletedTask;
        }
        var committed = Volatile.Read(ref nextCommit).Task;
        Flush();
        return committed;
    }

    public static Labels LabelsOf(string metric, string service, string monitor, string? environment) =>
        Labels.Of("__name__", metric, "service", service, "monitor", monitor, "environment", environment ?? "");

    public void Add(MonitorDefinition m, CheckResult result, DateTimeOffset at)
    {
        if (result.Status is MonitorStatus.Unknown or MonitorStatus.Paused)
        {
            return;
        }
        var ms = at.ToUnixTimeMilliseconds();
        pending.Writer.TryWrite((Cached(Up, m), ms, result.Status == MonitorStatus.Down ? 0 : 1));
        pending.Writer.TryWrite((Cached(Duration, m), ms, result.Duration.TotalSeconds));
        if (result.CertificateExpirySeconds is { } expiry)
        {
            pending.Writer.TryWrite((Cached(CertificateExpiry, m), ms, expiry));
        }
        foreach (var (field, value) in result.Values)
        {
            pending.Writer.TryWrite((Labels.Of("__name__", JsonValue, "service", m.Service!, "monitor", m.Name!, "environment", m.Environment ?? "", "field", field), ms, value));
        }
        // A single-reader channel does not count its items: the writers count them here.
        if (Interlocked.Add(ref queued, 2 + (result.CertificateExpirySeconds is null ? 0 : 1) + result.Values.Count) >= BatchSize)
        {
            Flush();
        }
    }

    private Labels Cached(string metric, MonitorDefinition m) =>
        labels.GetOrAdd((metric, m.Service!, m.Name!, m.Environment), key => LabelsOf(key.Metric, key.Service, key.Monitor, key.Environment));

    private volatile bool running;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        running = true;
        try
        {
            while (await pending.Reader.WaitToReadAsync(cancellationToken))
            {
                var flushed = Volatile.Read(ref flush).Task;
                if (!flushed.IsCompleted)
                {
                    using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    await Task.WhenAny(Task.Delay(Linger, clock, stopWaiting.Token), flushed);
                    stopWaiting.Cancel();
                }
                // A flush asked for from here on is for samples this commit may not take: it starts the next one at once.
                Volatile.Write(ref flush, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                // Those waiting for this commit read the completion before it began: what they added is taken below.
                var committing = Interlocked.Exchange(ref nextCommit, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                while (await CommitAsync(BatchSize) == BatchSize)
                {
                }
                committing.TrySetResult();
            }
        }
        catch (OperationCanceledException)
        {
            await CommitAsync(int.MaxValue);
        }
        finally
        {
            running = false;
            Volatile.Read(ref nextCommit).TrySetResult();
        }
    }

    private async Task<int> CommitAsync(int max)
    {
        var appender = store.Appender();
        var count = 0;
        while (count < max && pending.Reader.TryRead(out var s))
        {
            appender.Append(s.Labels, s.Ms, s.Value);
            count++;
        }
        Interlocked.Add(ref queued, -count);
        try
        {
            await appender.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Committing {Count} monitor samples failed", count);
        }
        return count;
    }
}
