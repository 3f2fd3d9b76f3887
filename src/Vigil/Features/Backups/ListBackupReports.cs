using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Backups;

/// <summary><c>GET /api/backups/policies/{name}/reports</c>: the catalog of a policy's reported backups, newest first.</summary>
public static class ListBackupReports
{
    public sealed record ReportView(
        long Id, string Kind, string Status, DateTimeOffset? StartedAt, DateTimeOffset FinishedAt, long? SizeBytes, string? Checksum,
        string? Location, string? Log, string Source, DateTimeOffset ReceivedAt);

    public static ReportView View(BackupReport r) =>
        new(r.Id, r.Kind, r.Status, r.StartedAt, r.FinishedAt, r.SizeBytes, r.Checksum, r.Location, r.Log, r.Source, r.ReceivedAt);

    public static async Task<IResult> Handle(string name, string? kind, int? limit, ConfigReloader config, VigilDbContext db, CancellationToken cancellationToken)
    {
        if (ListBackupPolicies.Current(config).All(p => p.Name != name))
        {
            return Hosting.Problems.NotFound($"no backup policy \"{name}\"");
        }
        if (limit is < 1 or > 10_000)
        {
            return Hosting.Problems.Field("limit", "must be 1 to 10000");
        }
        var reports = await db.Set<BackupReport>().AsNoTracking()
            .Where(r => r.Policy == name && (kind == null || r.Kind == kind))
            .OrderByDescending(r => r.FinishedAt).ThenByDescending(r => r.Id)
            .Take(limit ?? 100)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(reports.Select(View).ToList());
    }
}
