using Microsoft.EntityFrameworkCore;

namespace Vigil.Features.Incidents;

/// <summary><c>GET /api/incidents?status=open&amp;severity=P1&amp;service=api&amp;since=...</c>: newest first.</summary>
public static class ListIncidents
{
    public static async Task<IResult> Handle(string? status, string? severity, string? service, DateTimeOffset? since, int? limit, IncidentWorkspace work, CancellationToken cancellationToken)
    {
        if (status is not null && status != "open" && !IncidentStatus.All.Contains(status))
        {
            return Hosting.Problems.Field("status", $"use open or one of {string.Join(", ", IncidentStatus.All)}");
        }
        if (limit is < 1 or > 1000)
        {
            return Hosting.Problems.Field("limit", "between 1 and 1000");
        }
        var list = await QueryAsync(work.Db, status, severity, service, since, limit ?? 200, cancellationToken);
        return TypedResults.Ok(list.Select(IncidentDetails.SummaryOf));
    }

    public static async Task<List<Incident>> QueryAsync(Data.VigilDbContext db, string? status, string? severity, string? service, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        var query = db.Set<Incident>().AsNoTracking();
        query = status switch
        {
            null => query,
            "open" => query.Where(i => i.Status != IncidentStatus.Resolved),
            _ => query.Where(i => i.Status == status),
        };
        if (severity is not null)
        {
            query = query.Where(i => i.Severity == severity);
        }
        if (service is not null)
        {
            query = query.Where(i => i.Services.Any(s => s.Service == service));
        }
        if (since is { } from)
        {
            query = query.Where(i => i.OpenedAt >= from);
        }
        return await query.OrderByDescending(i => i.OpenedAt).ThenByDescending(i => i.Id).Take(limit).ToListAsync(cancellationToken);
    }
}
