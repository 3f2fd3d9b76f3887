using Microsoft.EntityFrameworkCore;
using Vigil.Features.Catalog;

namespace Vigil.Data;

/// <summary>
/// The state store. Each feature slice maps its own tables with an <see cref="IEntityTypeConfiguration{TEntity}"/>
/// in its folder; this context only gathers them. Migrations are kept per provider
/// (<see cref="SqliteVigilDbContext"/>, <see cref="PostgresVigilDbContext"/>).
/// </summary>
public abstract class VigilDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Service> Services => Set<Service>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(VigilDbContext).Assembly);
}

/// <summary>The SQLite flavour (default: one file in the data directory).</summary>
public sealed class SqliteVigilDbContext(DbContextOptions<SqliteVigilDbContext> options) : VigilDbContext(options);

/// <summary>The PostgreSQL flavour, for several replicas over one database.</summary>
public sealed class PostgresVigilDbContext(DbContextOptions<PostgresVigilDbContext> options) : VigilDbContext(options);
