namespace Vigil.Features.Catalog;

/// <summary>
/// The catalog's change signal: raised after a change to the services is committed (through the
/// API or a config sync), and awaited, so a caller that got its answer knows the subscribers
/// (the scrape targets) have caught up. Subscribers read what they need through
/// <see cref="ListMetricsEndpoints"/>, not the catalog's tables.
/// </summary>
public sealed class CatalogChanges
{
    private readonly Lock gate = new();
    private readonly List<Func<CancellationToken, Task>> subscribers = [];

    public void Subscribe(Func<CancellationToken, Task> onChanged)
    {
        lock (gate)
        {
            subscribers.Add(onChanged);
        }
    }

    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        Func<CancellationToken, Task>[] now;
        lock (gate)
        {
            now = [.. subscribers];
        }
        foreach (var onChanged in now)
        {
            await onChanged(cancellationToken);
        }
    }
}
