using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Vigil.Data;

/// <summary>
/// A version per entity type that moves each time this process commits a change to that type
/// through a save (added, changed or deleted rows; an owned row counts for its owner). For a cache
/// that one process may keep of a table only it writes (SQLite): read <see cref="Version"/> before
/// reading the table, and read the table again once the version moved. Bulk statements
/// (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>) do not move it.
/// </summary>
public static class SavedTypes
{
    private static readonly ConcurrentDictionary<Type, long> Versions = new();

    public static long Version(Type type) => Versions.GetValueOrDefault(type);

    /// <summary>Moves the versions of <paramref name="types"/> once <paramref name="db"/>'s unit of work commits: for writes made without a save.</summary>
    internal static void BumpAfterCommit(VigilDbContext db, IReadOnlyCollection<Type> types)
    {
        if (types.Count > 0)
        {
            AfterCommit.Add(db, () => Bump(types));
        }
    }

    internal static void Bump(IEnumerable<Type> types)
    {
        foreach (var type in types)
        {
            Versions.AddOrUpdate(type, 1, (_, v) => v + 1);
        }
    }
}

/// <summary>Moves <see cref="SavedTypes"/> once a save's changes are committed (<see cref="AfterCommit"/>).</summary>
public sealed class SavedTypesInterceptor : SaveChangesInterceptor
{
    public static readonly SavedTypesInterceptor Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Note(DbContext? context)
    {
        if (context is not VigilDbContext db)
        {
            return;
        }
        HashSet<Type>? types = null;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                var type = entry.Metadata;
                while (type.FindOwnership() is { } ownership)
                {
                    type = ownership.PrincipalEntityType;
                }
                (types ??= []).Add(type.ClrType);
            }
        }
        if (types is not null)
        {
            SavedTypes.BumpAfterCommit(db, types);
        }
    }
}
