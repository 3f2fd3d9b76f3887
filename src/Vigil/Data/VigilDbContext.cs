using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Vigil.Features.Access;
using Vigil.Features.Catalog;

namespace Vigil.Data;

/// <summary>
/// The state store. Each feature slice maps its own tables with an <see cref="IEntityTypeConfiguration{TEntity}"/>
/// in its folder; this context only gathers them. Migrations are kept per provider
/// (<see cref="SqliteVigilDbContext"/>, <see cref="PostgresVigilDbContext"/>).
/// </summary>
public abstract class VigilDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The keys that sign sessions and encrypt secrets, shared by every replica (Features/Access/ShareDataProtectionKeys.cs).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<User> Users => Set<User>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    /// <summary>What <see cref="AfterCommit"/> runs once this unit of work commits.</summary>
    internal List<Action> AfterCommitActions { get; } = [];

    // Pooled (DataModule): what one unit of work left uncommitted must not run after the next one's commit.
    public override void Dispose()
    {
        AfterCommitActions.Clear();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        AfterCommitActions.Clear();
        return base.DisposeAsync();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(VigilDbContext).Assembly);
}

/// <summary>The SQLite flavour (default: one file in the data directory).</summary>
public sealed class SqliteVigilDbContext(DbContextOptions<SqliteVigilDbContext> options) : VigilDbContext(options)
{
    private static readonly ValueConverter<DateTimeOffset, long> UtcTicks =
        new(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => e.ClrType.IsDefined(typeof(SqliteSortableTimesAttribute), false)))
        {
            foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
            {
                property.SetValueConverter(UtcTicks);
            }
        }
    }
}

/// <summary>The PostgreSQL flavour, for several replicas over one database.</summary>
public sealed class PostgresVigilDbContext(DbContextOptions<PostgresVigilDbContext> options) : VigilDbContext(options);
