using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Vigil.Data;

/// <summary>
/// Writes rows of a mapped entity without the change tracker: the statements are gathered into one
/// raw command, in the caller's transaction, through EF's command pipeline (its interceptors see
/// it: damage, fencing, connection counts). Table and column names, and each value's conversion,
/// come from the model, read once per entity type and column set. For a hot path that writes a
/// row or two of a known shape, where SaveChanges (change detection, the update pipeline, one
/// command per row) costs more than the write: a delivery's record was ~10 % of the process's CPU
/// in bench/alerting. Nothing it writes is tracked, and no <see cref="SavedTypes"/> version moves.
/// </summary>
public sealed class DirectRows(VigilDbContext db)
{
    /// <summary>A statement's text around its values: <see cref="Head"/>, then each value after its <see cref="Before"/>, then <see cref="Tail"/>.</summary>
    private sealed record Statement(string Head, string[] Before, string Tail, IProperty[] Properties);

    private static readonly ConcurrentDictionary<(Type Context, Type Entity, string Shape), Statement> Statements = new();

    private readonly StringBuilder sql = new();
    private readonly List<object> parameters = [];
    private DbCommand? parameterFactory;

    public bool IsEmpty => sql.Length == 0;

    /// <summary>Inserts <paramref name="row"/>: every column but a key the store generates (which is not read back).</summary>
    public DirectRows Insert<T>(T row) where T : class =>
        Append(Statements.GetOrAdd((db.GetType(), typeof(T), ""), key => BuildInsert(db, key.Entity)), row);

    /// <summary>Sets <paramref name="properties"/> of the row with <paramref name="row"/>'s key to <paramref name="row"/>'s values.</summary>
    public DirectRows Update<T>(T row, params string[] properties) where T : class =>
        Append(Statements.GetOrAdd((db.GetType(), typeof(T), string.Join(',', properties)), key => BuildUpdate(db, key.Entity, properties)), row);

    private DirectRows Append(Statement statement, object row)
    {
        sql.Append(statement.Head);
        for (var i = 0; i < statement.Properties.Length; i++)
        {
            sql.Append(statement.Before[i]).Append(Parameter(statement.Properties[i], row));
        }
        sql.Append(statement.Tail);
        return this;
    }

    /// <summary>Runs the gathered statements as one command; the caller commits (or they autocommit one by one: use a transaction for more than one).</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        if (sql.Length == 0)
        {
            return;
        }
        try
        {
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
        }
        finally
        {
            sql.Clear();
            parameters.Clear();
            parameterFactory?.Dispose();
            parameterFactory = null;
        }
    }

    private string Parameter(IProperty property, object row)
    {
        var name = "@dr" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        parameterFactory ??= db.Database.GetDbConnection().CreateCommand();
        // The type mapping converts the value as SaveChanges would (enums as text, SQLite's sortable times as ticks).
        var parameter = property.GetRelationalTypeMapping().CreateParameter(parameterFactory, name, property.GetGetter().GetClrValue(row), property.IsNullable);
        parameters.Add(parameter);
        return name;
    }

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

    private static Statement BuildInsert(VigilDbContext db, Type entity)
    {
        var (type, table, helper) = Describe(db, entity);
        var columns = type.GetProperties().Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd)).ToArray();
        return new Statement(
            $"INSERT INTO {helper.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(p => helper.DelimitIdentifier(p.GetColumnName(table)!)))}) VALUES (",
            [.. columns.Select((_, i) => i == 0 ? "" : ", ")],
            ")" + helper.StatementTerminator + "\n",
            columns);
    }

    private static Statement BuildUpdate(VigilDbContext db, Type entity, string[] names)
    {
        var (type, table, helper) = Describe(db, entity);
        var key = type.FindPrimaryKey()?.Properties.SingleOrDefault() ?? throw new NotSupportedException($"{entity.Name} has no single-column key");
        var set = names.Select(n => type.FindProperty(n) ?? throw new InvalidOperationException($"{entity.Name} has no property {n}")).ToArray();
        if (set.Length == 0 || set.Contains(key))
        {
            throw new InvalidOperationException($"{entity.Name}: an update sets at least one column, and not the key");
        }
        return new Statement(
            $"UPDATE {helper.DelimitIdentifier(table.Name, table.Schema)} SET ",
            [.. set.Select((p, i) => (i == 0 ? "" : ", ") + helper.DelimitIdentifier(p.GetColumnName(table)!) + " = "), $" WHERE {helper.DelimitIdentifier(key.GetColumnName(table)!)} = "],
            helper.StatementTerminator + "\n",
            [.. set, key]);
    }
}
