namespace Vigil.Data;

/// <summary>
/// SQLite has no date type, and EF Core stores <see cref="DateTimeOffset"/> there as text it can
/// neither compare nor sort. An entity with this attribute has its times stored in SQLite as UTC
/// ticks (an integer) instead, so queries by time range run in the database. PostgreSQL keeps
/// <c>timestamptz</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SqliteSortableTimesAttribute : Attribute;
