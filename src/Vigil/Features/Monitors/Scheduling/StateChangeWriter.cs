using System.Threading.Channels;
using Vigil.Data;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// Writes state changes in batches (one transaction per batch), so 10,000 monitors turning up at
/// start do not cost 10,000 transactions. A caller that needs the row saved awaits the returned task.
/// A batch that fails because the database is away is tried again until it lands
/// (<see cref="RetryUntilSaved"/>), in order, with the times the changes happened: the uptime and
/// the history are right after an outage.
/// </summary>
public sealed class StateChangeWriter(IServiceScopeFactory scopes, TimeProvider clock, ILogger<StateChangeWriter> logger)
{
    private readonly Channel<(StateChange Row, TaskCompletionSource Saved)> pending = Channel.CreateUnbounded<(StateChange, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    public Task Enqueue(StateChange row)
    {
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pending.Writer.TryWrite((row, saved));
        return saved.Task;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<(StateChange Row, TaskCompletionSource Saved)>();
        try
        {
            while (await pending.Reader.WaitToReadAsync(cancellationToken))
            {
                while (batch.Count < 1000 && pending.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                await SaveAsync(batch, cancellationToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: write what is left, once.
            while (pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            await SaveAsync(batch, CancellationToken.None, once: true);
        }
    }

    private async Task SaveAsync(List<(StateChange Row, TaskCompletionSource Saved)> batch, CancellationToken stopping, bool once = false)
    {
        if (batch.Count == 0)
        {
            return;
        }
        async Task WriteAsync(CancellationToken token)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            // A fresh copy each attempt: a failed SaveChanges may leave keys on the tracked rows.
            db.Set<StateChange>().AddRange(batch.Select(b => new StateChange { Monitor = b.Row.Monitor, At = b.Row.At, Status = b.Row.Status, Reason = b.Row.Reason }));
            await db.SaveChangesAsync(CancellationToken.None);
        }
        var what = $"{batch.Count} monitor state change(s)";
        bool saved;
        if (once)
        {
            try
            {
                await WriteAsync(CancellationToken.None);
                saved = true;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Server stopping: {What} could not be saved", what);
                saved = false;
            }
        }
        else
        {
            saved = await RetryUntilSaved.RunAsync(WriteAsync, clock, logger, what, stopping);
        }
        foreach (var (_, done) in batch)
        {
            if (saved)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(new InvalidOperationException($"{what} could not be saved"));
            }
        }
    }
}
