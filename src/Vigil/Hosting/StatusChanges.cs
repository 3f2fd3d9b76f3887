namespace Vigil.Hosting;

/// <summary>
/// Tells the status page that what it shows may have changed (an incident, a monitor's state, a
/// maintenance window, an SLO), so it drops its cached rendering. Raised after the change commits.
/// </summary>
public sealed class StatusChanges
{
    private long version;

    /// <summary>Grows with every change; a cached page remembers the version it was rendered at.</summary>
    public long Version => Interlocked.Read(ref version);

    public event Action? Changed;

    /// <summary>Only for changes made on this replica: <see cref="ShareStatusChanges"/> tells the others.</summary>
    public event Action? ChangedHere;

    public void Raise()
    {
        Interlocked.Increment(ref version);
        Changed?.Invoke();
        ChangedHere?.Invoke();
    }

    /// <summary>A change another replica made (learnt through the database): drop the cache here, tell nobody.</summary>
    public void RaiseFromReplica()
    {
        Interlocked.Increment(ref version);
        Changed?.Invoke();
    }
}
