using System.Threading.Channels;
using Vigil.Data;

namespace Vigil.Features.Monitors.Scheduling;

/// <summary>
/// Writes state changes in batches (one transaction per batch), so 10,000 monitors turning up at
/// start do not cost 10,000 transactions. A caller that needs the row saved awaits the returned task.
/// </summary>
public sealed class StateChangeWriter(IServiceScopeFactory scopes, ILogger<StateChangeWriter> logger)
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
                await SaveAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: write what is left.
            while (pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            await SaveAsync(batch);
        }
    }

    private async Task SaveAsync(List<(StateChange Row, TaskCompletionSource Saved)> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            db.Set<StateChange>().AddRange(batch.Select(b => b.Row));
            await db.SaveChangesAsync(CancellationToken.None);
            batch.ForEach(b => b.Saved.TrySetResult());
        }
        catch (Exception e)
        {
            logger.LogError(e, "Saving {Count} monitor state changes failed", batch.Count);
            batch.ForEach(b => b.Saved.TrySetException(e));
        }
    }
}
