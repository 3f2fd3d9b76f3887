namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>Buffers samples until <see cref="CommitAsync"/>, which applies them to the head, logs them and waits for the fsync.</summary>
internal sealed class TsdbAppender(TsdbStore store) : ISampleAppender
{
    private readonly List<(Labels Labels, long T, double V)> pending = [];

    public void Append(Labels labels, long timestampMs, double value) => pending.Add((labels, timestampMs, value));

    public async ValueTask<AppendResult> CommitAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (pending.Count == 0)
        {
            return default;
        }
        var (result, sequence) = store.Apply(pending);
        pending.Clear();
        if (sequence > 0)
        {
            await store.SyncWalAsync(sequence).ConfigureAwait(false);
        }
        return result;
    }
}
