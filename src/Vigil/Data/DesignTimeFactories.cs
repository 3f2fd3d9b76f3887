using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Vigil.Data;

// Used only by `dotnet ef migrations add` to build each provider's model; never at run time.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteVigilDbContext>
{
    public SqliteVigilDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteVigilDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresVigilDbContext>
{
    public PostgresVigilDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresVigilDbContext>().UseNpgsql("Host=localhost;Database=vigil_design").Options);
}
