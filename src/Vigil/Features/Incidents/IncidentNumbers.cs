using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Incidents;

/// <summary>
/// Hands out the per-year numbers of human IDs (<c>INC-2026-001</c>). One counter row per year,
/// bumped with a single UPDATE in the caller's transaction: on PostgreSQL the row lock makes a
/// second writer wait until the first commits and then read the next number; SQLite has one
/// writer at a time. A rolled-back incident gives its number back with the transaction.
/// </summary>
public static class IncidentNumbers
{
    public static async Task<int> NextAsync(VigilDbContext db, int year, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlRawAsync("INSERT INTO incident_sequences (year, last_number) VALUES ({0}, 0) ON CONFLICT (year) DO NOTHING", [year], cancellationToken);
        var numbers = await db.Database.SqlQueryRaw<int>("UPDATE incident_sequences SET last_number = last_number + 1 WHERE year = {0} RETURNING last_number AS \"Value\"", year).ToListAsync(cancellationToken);
        return numbers.Single();
    }

    public static string Format(int year, int number) => $"INC-{year:D4}-{number:D3}";
}
