using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Vigil.Features.Cluster;

/// <summary>
/// Fencing: while a loop works under a lease (<see cref="Enter"/>), every transaction it opens on
/// PostgreSQL first checks that the lease's token is still current (<see cref="LeaseStore.FenceSql"/>),
/// and is rolled back with <see cref="LeaseLostException"/> when it is not. A replica that was
/// paused past its TTL and wakes up cannot commit anything its successor may already have done.
/// </summary>
public static class LeaseFence
{
    private static readonly AsyncLocal<LeaseGrant?> Grant = new();

    /// <summary>The grant the current work runs under, if any.</summary>
    public static LeaseGrant? Current => Grant.Value;

    /// <summary>Writes from here until the returned scope is disposed (and in tasks started meanwhile) are fenced by <paramref name="grant"/>.</summary>
    public static IDisposable Enter(LeaseGrant grant)
    {
        var previous = Grant.Value;
        Grant.Value = grant;
        return new Scope(previous);
    }

    /// <summary>
    /// Writes until the returned scope is disposed are not fenced: for a record that must be kept
    /// whoever holds the lease now (that a message was sent is a fact, even if the lease moved meanwhile).
    /// </summary>
    public static IDisposable Suspend()
    {
        var previous = Grant.Value;
        Grant.Value = null;
        return new Scope(previous);
    }

    private sealed class Scope(LeaseGrant? previous) : IDisposable
    {
        public void Dispose() => Grant.Value = previous;
    }
}

/// <summary>A write under a lease this replica no longer holds; nothing of it was committed.</summary>
public sealed class LeaseLostException(LeaseGrant grant)
    : InvalidOperationException($"lease \"{grant.Name}\" (token {grant.Token}) is no longer held by this replica; the write was refused")
{
    public LeaseGrant Grant { get; } = grant;
}

/// <summary>Runs the fence at the start of each transaction of fenced work (PostgreSQL only).</summary>
public sealed class FenceInterceptor : DbTransactionInterceptor, ISaveChangesInterceptor
{
    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        if (LeaseFence.Current is { } grant && !await LeaseStore.FenceAsync(connection, result, grant, cancellationToken))
        {
            await result.RollbackAsync(cancellationToken);
            throw new LeaseLostException(grant);
        }
        return result;
    }

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (LeaseFence.Current is { } grant && !LeaseStore.FenceAsync(connection, result, grant, CancellationToken.None).GetAwaiter().GetResult())
        {
            result.Rollback();
            throw new LeaseLostException(grant);
        }
        return result;
    }

    /// <summary>A save of one statement runs without a transaction by default; fenced work needs one for the fence.</summary>
    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        RequireTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        RequireTransaction(eventData.Context);
        return result;
    }

    private static void RequireTransaction(DbContext? context)
    {
        if (context is not null && LeaseFence.Current is not null)
        {
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }
    }
}
