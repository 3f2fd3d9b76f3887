using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Vigil.Data;

/// <summary>
/// Runs actions once the caller's unit of work has committed: after the next successful
/// <c>SaveChanges</c> when there is no explicit transaction, else when the transaction commits;
/// dropped when it rolls back or the save fails. For signals to caches and loops ("the incidents
/// changed") that must not fire for a change another reader cannot see yet, or never will.
/// </summary>
public static class AfterCommit
{
    public static void Add(VigilDbContext db, Action action) => db.AfterCommitActions.Add(action);

    /// <summary>Takes back an action added earlier in this unit of work (equal delegates: same target and method), when the caller does its work another way.</summary>
    public static void Remove(VigilDbContext db, Action action) => db.AfterCommitActions.RemoveAll(a => a.Equals(action));

    internal static void Run(DbContext? context)
    {
        if (context is not VigilDbContext db || db.AfterCommitActions.Count == 0)
        {
            return;
        }
        var actions = db.AfterCommitActions.ToList();
        db.AfterCommitActions.Clear();
        foreach (var action in actions)
        {
            action();
        }
    }

    internal static void Drop(DbContext? context) => (context as VigilDbContext)?.AfterCommitActions.Clear();
}

/// <summary>Calls <see cref="AfterCommit"/> at the right moments of every context's saves and transactions.</summary>
public sealed class AfterCommitInterceptor : DbTransactionInterceptor, ISaveChangesInterceptor
{
    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        AfterCommit.Run(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => AfterCommit.Run(eventData.Context);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        AfterCommit.Drop(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => AfterCommit.Drop(eventData.Context);

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SavedChanges(eventData, result);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            AfterCommit.Run(eventData.Context);
        }
        return result;
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            AfterCommit.Drop(eventData.Context);
        }
    }
}
