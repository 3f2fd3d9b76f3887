using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace Vigil.Data;

/// <summary>
/// Writes rows of a mapped entity without the change tracker, in the caller's transaction. Table and
/// column names, and each value's conversion, come from the model, read once per entity type and
/// column set. For a hot path that writes a row or two of a known shape, where SaveChanges (change
/// detection, the update pipeline, one command per row) costs more than the write: a delivery's
/// record was ~10 % of the process's CPU in bench/alerting. Nothing it writes is tracked, and no
/// <see cref="SavedTypes"/> version moves; <see cref="SaveChangesAsync"/> writes what is tracked
/// instead, as SaveChanges would.
/// </summary>
/// <remarks>
/// How the statements run: on PostgreSQL, or without a transaction, gathered into one raw command
/// through EF's command pipeline (its interceptors see it: fencing, damage). On SQLite in a
/// transaction, each statement on its own with only its own values, straight on the connection
/// (the one command interceptor there, the damage watch, is told of failures here): on the
/// connection the write turn keeps open, prepared once per statement shape and bound through
/// SQLite itself; otherwise a command per statement shape, reused for the rows of that shape. Microsoft.Data.Sqlite binds every
/// parameter of a command against every statement in it, converting each name to UTF-8 each time,
/// and prepares the whole text again: the single command for the alert path's six rows made 276 of
/// those conversions, and with EF's command building it was 42 % of the alert path's allocations
/// (dotnet-trace, bench/alerting).
/// </remarks>
public sealed class DirectRows(VigilDbContext db)
{
    /// <summary>
    /// A statement's text around its values: <see cref="Head"/>, then each value after its
    /// <see cref="Before"/>, then <see cref="Tail"/>; an insert that reads back its store-generated
    /// key names it in <see cref="Returns"/>.
    /// </summary>
    private sealed record Statement(string Head, string[] Before, string Tail, IProperty[] Properties, IProperty? Returns = null)
    {
        /// <summary>Each value's type mapping (its conversion) and getter, looked up once: per row they cost more than the write (a profile of the alert path).</summary>
        public (RelationalTypeMapping Mapping, IClrPropertyGetter Getter, bool Nullable)[] Columns { get; } =
            [.. Properties.Select(p => (p.GetRelationalTypeMapping(), p.GetGetter(), p.IsNullable))];

        /// <summary>The parameters' names when the statement runs alone: <c>@p0</c>, <c>@p1</c>...</summary>
        public string[] Names { get; } = [.. Properties.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

        /// <summary>The statement's text when it runs alone, with <see cref="Names"/> for its values.</summary>
        public string Text => field ??= Head + string.Concat(Before.Select((before, i) => before + Names[i])) + Tail;

        /// <summary>
        /// Whether every value reaches the store as a type SQLite binds as it is (integers, reals,
        /// text, blobs; after the mapping's conversion), so that the statement can run prepared,
        /// straight through SQLite (<see cref="RunPrepared"/>). Times, GUIDs and decimals without a
        /// conversion are formatted by Microsoft.Data.Sqlite, so their statements go through it.
        /// </summary>
        public bool Plain { get; } = Properties.All(p =>
            (p.GetRelationalTypeMapping().Converter?.ProviderClrType ?? p.GetRelationalTypeMapping().ClrType) is var type
            && (Nullable.GetUnderlyingType(type) ?? type) is var store
            && (store.IsEnum || store == typeof(string) || store == typeof(long) || store == typeof(int) || store == typeof(short) || store == typeof(byte)
                || store == typeof(bool) || store == typeof(double) || store == typeof(float) || store == typeof(byte[])));
    }

    private enum Kind
    {
        Insert,
        Update,
        Delete,
    }

    private static readonly ConcurrentDictionary<(Type Context, Type Entity, Kind Kind, string Shape), Statement> Statements = new();

    /// <summary>Per entity type: whether <see cref="SaveChangesAsync"/> can write its rows itself.</summary>
    private static readonly ConcurrentDictionary<IEntityType, bool> Writable = new();

    /// <summary>The rows to delete, in the order named.</summary>
    private readonly List<(Type Type, object Row)> deletes = [];

    /// <summary>The rows to update, in the order first named, each with the properties its update sets (every call's, merged).</summary>
    private readonly List<(Type Type, object Row, SortedSet<string> Properties)> updates = [];

    /// <summary>The rows to insert, in the order named; a tracked one with its entry, through which the tracker learns the key the store generates.</summary>
    private readonly List<(Type Type, object Row, EntityEntry? Entry)> inserts = [];

    /// <summary>Every row named, by reference: what is to happen to it.</summary>
    private readonly Dictionary<object, Kind> named = new(ReferenceEqualityComparer.Instance);

    public bool IsEmpty => named.Count == 0;

    /// <summary>
    /// Inserts <paramref name="row"/>: every column but a key the store generates, which is read back
    /// and set on <paramref name="row"/>. The values are those the row has when the statements run,
    /// so a later <see cref="Update{T}"/> of it changes nothing more.
    /// </summary>
    public DirectRows Insert<T>(T row) where T : class => Insert(typeof(T), row, null);

    private DirectRows Insert(Type type, object row, EntityEntry? entry)
    {
        if (named.TryAdd(row, Kind.Insert))
        {
            inserts.Add((type, row, entry));
        }
        return this;
    }

    /// <summary>
    /// Sets <paramref name="properties"/> of the row with <paramref name="row"/>'s key to the values
    /// <paramref name="row"/> has when the statements run; several updates of one row are one statement.
    /// </summary>
    public DirectRows Update<T>(T row, params string[] properties) where T : class => Update(typeof(T), row, properties);

    private DirectRows Update(Type type, object row, IEnumerable<string> properties)
    {
        if (named.TryGetValue(row, out var kind))
        {
            if (kind == Kind.Update)
            {
                updates.Find(u => ReferenceEquals(u.Row, row)).Properties.UnionWith(properties);
            }
            // To be inserted, the row is written whole; to be deleted, not at all.
            return this;
        }
        named[row] = Kind.Update;
        updates.Add((type, row, new SortedSet<string>(properties, StringComparer.Ordinal)));
        return this;
    }

    /// <summary>Deletes the row with <paramref name="row"/>'s key (one named for insert here is simply not inserted).</summary>
    public DirectRows Delete<T>(T row) where T : class => Delete(typeof(T), row);

    private DirectRows Delete(Type type, object row)
    {
        if (named.Remove(row, out var kind))
        {
            if (kind == Kind.Insert)
            {
                inserts.RemoveAll(i => ReferenceEquals(i.Row, row));
                return this;
            }
            updates.RemoveAll(u => ReferenceEquals(u.Row, row));
            if (kind == Kind.Delete)
            {
                deletes.RemoveAll(d => ReferenceEquals(d.Row, row));
            }
        }
        named[row] = Kind.Delete;
        deletes.Add((type, row));
        return this;
    }

    private Statement StatementFor(Type entity, Kind kind, string[] properties) =>
        Statements.GetOrAdd((db.GetType(), entity, kind, string.Join(',', properties)), key => key.Kind switch
        {
            Kind.Insert => BuildInsert(db, key.Entity),
            Kind.Update => BuildUpdate(db, key.Entity, properties),
            _ => BuildDelete(db, key.Entity),
        });

    /// <summary>
    /// Runs the named statements as SaveChanges orders them: deletes, then updates, then inserts (a
    /// row that takes a unique value another gives up comes after it). The caller commits (or they
    /// autocommit one by one: use a transaction for more than one). Store-generated keys are set on
    /// the inserted rows. An update or delete that finds no row fails as SaveChanges does
    /// (<see cref="DbUpdateConcurrencyException"/>); a statement the store refuses, with a
    /// <see cref="DbUpdateException"/> around the store's error, as SaveChanges does.
    /// </summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        if (named.Count == 0)
        {
            return;
        }
        var pending = new List<(Statement Statement, object Row)>(named.Count);
        var generated = new List<(object Row, IProperty Key, EntityEntry? Entry)>();
        try
        {
            foreach (var (type, row) in deletes)
            {
                pending.Add((StatementFor(type, Kind.Delete, []), row));
            }
            foreach (var (type, row, properties) in updates)
            {
                pending.Add((StatementFor(type, Kind.Update, [.. properties]), row));
            }
            foreach (var (type, row, entry) in inserts)
            {
                var statement = StatementFor(type, Kind.Insert, []);
                pending.Add((statement, row));
                if (statement.Returns is { } key)
                {
                    generated.Add((row, key, entry));
                }
            }
        }
        finally
        {
            deletes.Clear();
            updates.Clear();
            inserts.Clear();
            named.Clear();
        }
        var keys = new List<object>(generated.Count);
        int affected;
        try
        {
            // In a transaction, the context's or the one CommitAsync began on the connection itself.
            affected = db.Database.GetDbConnection() is SqliteConnection { State: System.Data.ConnectionState.Open } connection
                && raw.sqlite3_get_autocommit(connection.Handle!) == 0
                ? await RunOnSqliteAsync(pending, connection, db.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction, keys, cancellationToken)
                : await RunThroughEfAsync(pending, keys, cancellationToken);
        }
        catch (DbException e)
        {
            throw new DbUpdateException("An error occurred while saving the rows. See the inner exception for details.", e);
        }
        if (affected != pending.Count || keys.Count != generated.Count)
        {
            throw new DbUpdateConcurrencyException(
                $"The save expected to write {pending.Count} rows and wrote {affected}: a row it updates or deletes was deleted since it was read.");
        }
        for (var i = 0; i < generated.Count; i++)
        {
            var (row, key, entry) = generated[i];
            var value = Convert.ChangeType(keys[i], key.ClrType, System.Globalization.CultureInfo.InvariantCulture);
            if (entry is not null)
            {
                // The tracker learns the key through the entry, as from SaveChanges.
                entry.Property(key.Name).CurrentValue = value;
            }
            else
            {
                (key.PropertyInfo ?? throw new NotSupportedException($"{key.DeclaringType.DisplayName()}.{key.Name} is not a property")).SetValue(row, value);
            }
        }
    }

    private static readonly Statement Begin = new("BEGIN IMMEDIATE;", [], "", []);
    private static readonly Statement Commit = new("COMMIT;", [], "", []);
    private static readonly Statement Rollback = new("ROLLBACK;", [], "", []);

    /// <summary>
    /// Writes the named rows (<see cref="ExecuteAsync"/>) in a transaction of their own, and commits
    /// it. On the connection the write turn keeps open (<see cref="WriteTurn"/>), with no transaction
    /// of the context's open, <c>BEGIN IMMEDIATE</c> (as Microsoft.Data.Sqlite begins one) and
    /// <c>COMMIT</c> run as statements prepared once, as the rows do: EF's transaction prepared both
    /// anew each time and made its diagnostics' objects, ~2 % of the alert path's CPU and 4 % of its
    /// allocations for the delivery's record (bench/alerting). Otherwise in a transaction of the
    /// context's. Nothing is written when a row fails. Either way the context's
    /// <see cref="AfterCommit"/> actions run once it committed, and are dropped when it did not.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (named.Count == 0)
        {
            return;
        }
        if (db.Database.CurrentTransaction is not null || db.Database.GetDbConnection() is not SqliteConnection { State: System.Data.ConnectionState.Open } connection
            || !Kept.TryGetValue(connection, out var prepared))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return;
        }
        RunPrepared(connection, prepared, Begin, this, []);
        try
        {
            await ExecuteAsync(cancellationToken);
            RunPrepared(connection, prepared, Commit, this, []);
        }
        catch when (raw.sqlite3_get_autocommit(connection.Handle!) == 0)
        {
            // Still open (a row or the commit failed): nothing of it stays.
            RunPrepared(connection, prepared, Rollback, this, []);
            AfterCommit.Drop(db);
            throw;
        }
        // What EF's transaction interceptor does at its commit (AfterCommitInterceptor).
        AfterCommit.Run(db);
    }

    /// <summary>
    /// Writes the named rows (<see cref="ExecuteAsync"/>), then what the context tracks as changed
    /// (<see cref="SaveChangesAsync"/>), in the caller's transaction: a unit of work whose own rows
    /// are named here while other code adds through the context.
    /// </summary>
    /// <returns>The entities the tracker's save added.</returns>
    public async Task<List<object>> SaveAllAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync(cancellationToken);
        return await SaveChangesAsync(db, cancellationToken);
    }

    /// <summary>
    /// Saves what <paramref name="db"/> tracks as changed, as SaveChanges would, in the caller's
    /// transaction: rows of plain entity types (one table each, no foreign keys, owned or shadow
    /// properties, concurrency tokens, or values the store makes other than a single key; rows that
    /// other rows refer to are fine) through <see cref="ExecuteAsync"/>, whose store-generated keys are
    /// read back (<c>RETURNING</c>); changes are then accepted and the types' <see cref="SavedTypes"/>
    /// versions move on commit. Anything else, or no transaction, is left to SaveChanges itself.
    /// </summary>
    /// <returns>The entities the save added (so a caller need not look for them, detecting changes again).</returns>
    public static async Task<List<object>> SaveChangesAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        // Entries() detects changes, once.
        List<EntityEntry>? changed = null;
        var direct = db.Database.CurrentTransaction is not null;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                (changed ??= []).Add(entry);
                direct &= Writable.GetOrAdd(entry.Metadata, IsWritable)
                    // A key the store would generate but the caller set is written by SaveChanges, as given.
                    && !(entry.State == EntityState.Added && GeneratedKey(entry.Metadata) is { } key && !entry.Property(key.Name).IsTemporary);
            }
        }
        if (changed is null)
        {
            return [];
        }
        List<object> added = [.. changed.Where(e => e.State == EntityState.Added).Select(e => e.Entity)];
        if (!direct)
        {
            await db.SaveChangesAsync(cancellationToken);
            return added;
        }
        var rows = new DirectRows(db);
        var types = new HashSet<Type>();
        foreach (var entry in changed)
        {
            var type = entry.Metadata.ClrType;
            types.Add(type);
            _ = entry.State switch
            {
                EntityState.Deleted => rows.Delete(type, entry.Entity),
                EntityState.Modified => rows.Update(type, entry.Entity, entry.Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name)),
                _ => rows.Insert(type, entry.Entity, entry),
            };
        }
        await rows.ExecuteAsync(cancellationToken);
        db.ChangeTracker.AcceptAllChanges();
        SavedTypes.BumpAfterCommit(db, types);
        return added;
    }

    /// <summary>
    /// Per connection kept open for the process's writers (<see cref="WriteTurn"/>): its statements,
    /// one per statement shape, prepared once and kept as long as the connection. Used by one
    /// writer at a time, as the connection is.
    /// </summary>
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<Statement, sqlite3_stmt>> Kept = new();

    /// <summary>Keeps the statements run on <paramref name="connection"/> prepared from one run to the next (a connection that stays open, used by one writer at a time).</summary>
    internal static void KeepCommandsOn(SqliteConnection connection) =>
        Kept.AddOrUpdate(connection, new Dictionary<Statement, sqlite3_stmt>(ReferenceEqualityComparer.Instance));

    /// <summary>Finalizes the statements kept on <paramref name="connection"/>, before it closes (its database handle may go back to the pool).</summary>
    internal static void ForgetCommandsOn(SqliteConnection connection)
    {
        if (Kept.TryGetValue(connection, out var statements))
        {
            Kept.Remove(connection);
            foreach (var statement in statements.Values)
            {
                statement.Dispose();
            }
        }
    }

    /// <summary>
    /// Each statement on its own, in the connection's open transaction (<paramref name="transaction"/>
    /// when the context began it, or the one <see cref="CommitAsync"/> began): on a kept connection prepared
    /// once and run straight through SQLite (<see cref="RunPrepared"/>); otherwise as a command per
    /// statement shape, prepared for this run.
    /// </summary>
    private async Task<int> RunOnSqliteAsync(List<(Statement Statement, object Row)> pending, SqliteConnection connection, SqliteTransaction? transaction, List<object> keys, CancellationToken cancellationToken)
    {
        Kept.TryGetValue(connection, out var prepared);
        var commands = new Dictionary<Statement, SqliteCommand>(ReferenceEqualityComparer.Instance);
        var affected = 0;
        try
        {
            foreach (var (statement, row) in pending)
            {
                if (prepared is not null && statement.Plain)
                {
                    affected += RunPrepared(connection, prepared, statement, row, keys);
                    continue;
                }
                if (!commands.TryGetValue(statement, out var command))
                {
                    command = connection.CreateCommand();
                    command.CommandText = statement.Text;
                    command.Transaction = transaction;
                    commands[statement] = command;
                }
                else
                {
                    // The same text: Microsoft.Data.Sqlite keeps its prepared statement and binds the new values.
                    command.Parameters.Clear();
                }
                var columns = statement.Columns;
                for (var i = 0; i < columns.Length; i++)
                {
                    command.Parameters.Add(Parameter(command, statement.Names[i], columns[i], row));
                }
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    keys.Add(reader.GetValue(0));
                }
                await reader.CloseAsync();
                affected += reader.RecordsAffected;
            }
            return affected;
        }
        catch (SqliteException e)
        {
            DatabaseDamageWatch.Of(db)?.Note(e);
            throw;
        }
        finally
        {
            foreach (var command in commands.Values)
            {
                await command.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Runs one row's statement prepared on the connection, binding its values straight through
    /// SQLite: Microsoft.Data.Sqlite makes a parameter and a binder per value and copies each text
    /// to UTF-8 on every run (a quarter of the alert path's allocations, bench/alerting); SQLite
    /// takes UTF-16 text as it is. Returns the rows changed; a key the statement returns is added
    /// to <paramref name="keys"/>.
    /// </summary>
    private static int RunPrepared(SqliteConnection connection, Dictionary<Statement, sqlite3_stmt> prepared, Statement statement, object row, List<object> keys)
    {
        var handle = connection.Handle!;
        if (!prepared.TryGetValue(statement, out var stmt))
        {
            var rc = raw.sqlite3_prepare_v3(handle, statement.Text, raw.SQLITE_PREPARE_PERSISTENT, out stmt, out _);
            SqliteException.ThrowExceptionForRC(rc, handle);
            if (raw.sqlite3_bind_parameter_count(stmt) != statement.Columns.Length)
            {
                stmt.Dispose();
                throw new InvalidOperationException($"{statement.Text} has {raw.sqlite3_bind_parameter_count(stmt)} parameters, not {statement.Columns.Length}");
            }
            prepared[statement] = stmt;
        }
        try
        {
            var columns = statement.Columns;
            for (var i = 0; i < columns.Length; i++)
            {
                // Named parameters are numbered in the order they first appear: @p0 is 1.
                var rc = Bind(stmt, i + 1, columns[i], row);
                SqliteException.ThrowExceptionForRC(rc, handle);
            }
            int step;
            while ((step = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                keys.Add(raw.sqlite3_column_int64(stmt, 0));
            }
            if (step != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(step, handle);
            }
            return raw.sqlite3_changes(handle);
        }
        finally
        {
            raw.sqlite3_reset(stmt);
            raw.sqlite3_clear_bindings(stmt);
        }
    }

    /// <summary>Binds the value of <paramref name="column"/> in <paramref name="row"/>, converted by its mapping as SaveChanges would (a <see cref="Statement.Plain"/> statement's).</summary>
    private static int Bind(sqlite3_stmt stmt, int index, (RelationalTypeMapping Mapping, IClrPropertyGetter Getter, bool Nullable) column, object row)
    {
        var value = column.Getter.GetClrValue(row);
        if (column.Mapping.Converter is { } converter)
        {
            value = converter.ConvertToProvider(value);
        }
        return value switch
        {
            null => raw.sqlite3_bind_null(stmt, index),
            string text => raw.sqlite3_bind_text16(stmt, index, text.AsSpan()),
            long number => raw.sqlite3_bind_int64(stmt, index, number),
            int number => raw.sqlite3_bind_int64(stmt, index, number),
            short number => raw.sqlite3_bind_int64(stmt, index, number),
            byte number => raw.sqlite3_bind_int64(stmt, index, number),
            bool flag => raw.sqlite3_bind_int64(stmt, index, flag ? 1 : 0),
            double real => raw.sqlite3_bind_double(stmt, index, real),
            float real => raw.sqlite3_bind_double(stmt, index, real),
            byte[] bytes => raw.sqlite3_bind_blob(stmt, index, bytes),
            Enum member => raw.sqlite3_bind_int64(stmt, index, Convert.ToInt64(member, System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new InvalidOperationException($"{value.GetType().Name} is not bound straight through SQLite"),
        };
    }

    /// <summary>The statements as one raw command through EF's command pipeline, as ExecuteSqlRaw runs one.</summary>
    private async Task<int> RunThroughEfAsync(List<(Statement Statement, object Row)> pending, List<object> keys, CancellationToken cancellationToken)
    {
        // The text and parameters go straight into EF's command builder: through IRawSqlCommandBuilder
        // the text was copied three times and formatted for placeholders it does not have.
        var sql = db.GetService<IRelationalCommandBuilderFactory>().Create();
        using var parameterFactory = db.Database.GetDbConnection().CreateCommand();
        var parameters = 0;
        foreach (var (statement, row) in pending)
        {
            sql.Append(statement.Head);
            var columns = statement.Columns;
            for (var i = 0; i < columns.Length; i++)
            {
                var name = "@dr" + parameters++.ToString(System.Globalization.CultureInfo.InvariantCulture);
                sql.Append(statement.Before[i]).Append(name);
                sql.AddRawParameter(name, Parameter(parameterFactory, name, columns[i], row));
            }
            sql.Append(statement.Tail);
        }
        // Through EF's logger, which calls the interceptors, with a reader for the keys. The
        // parameters are raw ones, which ignore the values dictionary.
        using var critical = db.GetService<IConcurrencyDetector>().EnterCriticalSection();
        await using var reader = await sql.Build().ExecuteReaderAsync(
            new RelationalCommandParameterObject(db.GetService<IRelationalConnection>(), NoValues, null, db, db.GetService<IRelationalCommandDiagnosticsLogger>(), CommandSource.ExecuteSqlRaw),
            cancellationToken);
        var results = reader.DbDataReader;
        do
        {
            while (await results.ReadAsync(cancellationToken))
            {
                keys.Add(results.GetValue(0));
            }
        }
        while (await results.NextResultAsync(cancellationToken));
        return results.RecordsAffected;
    }

    private static readonly IReadOnlyDictionary<string, object?> NoValues = System.Collections.ObjectModel.ReadOnlyDictionary<string, object?>.Empty;

    /// <summary>The value of <paramref name="column"/> in <paramref name="row"/> as a parameter of <paramref name="command"/>.</summary>
    private static DbParameter Parameter(DbCommand command, string name, (RelationalTypeMapping Mapping, IClrPropertyGetter Getter, bool Nullable) column, object row) =>
        // The type mapping converts the value as SaveChanges would (enums as text, SQLite's sortable times as ticks).
        column.Mapping.CreateParameter(command, name, column.Getter.GetClrValue(row), column.Nullable);

    /// <summary>The key the store generates on insert, if the type has one (a single integer column).</summary>
    private static IProperty? GeneratedKey(IEntityType type) =>
        type.FindPrimaryKey()?.Properties is [{ ValueGenerated: ValueGenerated.OnAdd } key] ? key : null;

    private static bool IsWritable(IEntityType type) =>
        type.GetTableName() is not null && type.GetViewName() is null && type.GetSqlQuery() is null && type.GetFunctionName() is null
        && type.BaseType is null && !type.GetDirectlyDerivedTypes().Any() && !type.IsOwned()
        && !type.GetProperties().Any(p => p.IsShadowProperty() || p.IsConcurrencyToken || (p.ValueGenerated != ValueGenerated.Never && !p.IsPrimaryKey()))
        && !type.GetNavigations().Any() && !type.GetSkipNavigations().Any() && !type.GetComplexProperties().Any()
        // A row another refers to is fine (no row it refers to can be in the same save); a row that refers to another is not.
        && !type.GetForeignKeys().Any()
        && type.FindPrimaryKey()?.Properties.Count == 1
        && (GeneratedKey(type) is not { } key || (key.ClrType == typeof(long) || key.ClrType == typeof(int)) && key.GetValueConverter() is null)
        && type.GetMappingFragments().Count() == 0;

    private static (IEntityType Type, StoreObjectIdentifier Table, ISqlGenerationHelper Sql) Describe(VigilDbContext db, Type entity)
    {
        var type = db.Model.FindEntityType(entity) ?? throw new InvalidOperationException($"{entity.Name} is not mapped");
        var table = StoreObjectIdentifier.Table(type.GetTableName() ?? throw new InvalidOperationException($"{entity.Name} has no table"), type.GetSchema());
        if (type.GetProperties().Any(p => p.IsShadowProperty()) || type.GetNavigations().Any(n => n.TargetEntityType.IsOwned()))
        {
            throw new NotSupportedException($"{entity.Name} has shadow properties or owned types, which DirectRows does not write");
        }
        return (type, table, db.GetService<ISqlGenerationHelper>());
    }

    private static string Column(IProperty property, StoreObjectIdentifier table, ISqlGenerationHelper helper) => helper.DelimitIdentifier(property.GetColumnName(table)!);

    /// <summary>An insert of every column but a key the store generates, which it reads back (<c>RETURNING</c>).</summary>
    private static Statement BuildInsert(VigilDbContext db, Type entity)
    {
        var (type, table, helper) = Describe(db, entity);
        var columns = type.GetProperties().Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd)).ToArray();
        var key = GeneratedKey(type);
        return new Statement(
            $"INSERT INTO {helper.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(p => Column(p, table, helper)))}) VALUES (",
            [.. columns.Select((_, i) => i == 0 ? "" : ", ")],
            ")" + (key is null ? "" : " RETURNING " + Column(key, table, helper)) + helper.StatementTerminator + "\n",
            columns,
            key);
    }

    private static IProperty KeyOf(IEntityType type) =>
        type.FindPrimaryKey()?.Properties.SingleOrDefault() ?? throw new NotSupportedException($"{type.ClrType.Name} has no single-column key");

    private static Statement BuildUpdate(VigilDbContext db, Type entity, string[] names)
    {
        var (type, table, helper) = Describe(db, entity);
        var key = KeyOf(type);
        var set = names.Select(n => type.FindProperty(n) ?? throw new InvalidOperationException($"{entity.Name} has no property {n}")).ToArray();
        if (set.Length == 0 || set.Contains(key))
        {
            throw new InvalidOperationException($"{entity.Name}: an update sets at least one column, and not the key");
        }
        return new Statement(
            $"UPDATE {helper.DelimitIdentifier(table.Name, table.Schema)} SET ",
            [.. set.Select((p, i) => (i == 0 ? "" : ", ") + Column(p, table, helper) + " = "), $" WHERE {Column(key, table, helper)} = "],
            helper.StatementTerminator + "\n",
            [.. set, key]);
    }

    private static Statement BuildDelete(VigilDbContext db, Type entity)
    {
        var (type, table, helper) = Describe(db, entity);
        var key = KeyOf(type);
        return new Statement(
            $"DELETE FROM {helper.DelimitIdentifier(table.Name, table.Schema)} WHERE {Column(key, table, helper)} = ",
            [""],
            helper.StatementTerminator + "\n",
            [key]);
    }
}
