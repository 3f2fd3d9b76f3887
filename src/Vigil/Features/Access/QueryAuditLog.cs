using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary>
/// <c>GET /api/audit</c> (paged JSON) and <c>GET /api/audit/export.csv</c>: the audit log filtered
/// by user (name or id), action, resource, resource id and time range, newest first.
/// </summary>
public static class QueryAuditLog
{
    public const int MaxPageSize = 500;
    public const int MaxExportRows = 100_000;

    public sealed record Filter(string? User, string? Action, string? Resource, string? ResourceId, DateTimeOffset? From, DateTimeOffset? To);

    public sealed record EntryView(long Id, int? UserId, string? Username, string Action, string Resource, string? ResourceId, string? IpAddress, string? UserAgent, System.Text.Json.JsonElement Metadata, DateTimeOffset CreatedAt)
    {
        public static EntryView From(AuditEntry e) => new(e.Id, e.UserId, e.Username, e.Action, e.Resource, e.ResourceId, e.IpAddress, e.UserAgent,
            System.Text.Json.JsonDocument.Parse(e.Metadata).RootElement.Clone(), e.CreatedAt);
    }

    public sealed record EntryPage(IReadOnlyList<EntryView> Entries, int Page, int PageSize, int Total);

    public static async Task<Results<Ok<EntryPage>, ValidationProblem>> Handle(
        VigilDbContext db, string? user, string? action, string? resource, [FromQuery(Name = "resource_id")] string? resourceId, DateTimeOffset? from, DateTimeOffset? to,
        int? page, [FromQuery(Name = "page_size")] int? pageSize, CancellationToken cancellationToken)
    {
        var size = pageSize ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            return Problems.Field("page_size", $"must be 1..{MaxPageSize}");
        }
        if (page is < 1)
        {
            return Problems.Field("page", "pages are numbered from 1");
        }
        var query = Query(db, new Filter(user, action, resource, resourceId, from, to));
        var total = await query.CountAsync(cancellationToken);
        var entries = await query.Skip(((page ?? 1) - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new EntryPage(entries.Select(EntryView.From).ToList(), page ?? 1, size, total));
    }

    public static async Task<IResult> HandleCsv(
        VigilDbContext db, string? user, string? action, string? resource, [FromQuery(Name = "resource_id")] string? resourceId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var entries = await Query(db, new Filter(user, action, resource, resourceId, from, to)).Take(MaxExportRows).ToListAsync(cancellationToken);
        return TypedResults.File(Encoding.UTF8.GetBytes(ToCsv(entries)), "text/csv; charset=utf-8", "vigil-audit-log.csv");
    }

    /// <summary>The filtered entries, newest first.</summary>
    public static IQueryable<AuditEntry> Query(VigilDbContext db, Filter filter)
    {
        var query = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrEmpty(filter.User))
        {
            query = int.TryParse(filter.User, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? query.Where(e => e.UserId == id || e.Username == filter.User)
                : query.Where(e => e.Username == filter.User);
        }
        if (!string.IsNullOrEmpty(filter.Action))
        {
            query = query.Where(e => e.Action == filter.Action);
        }
        if (!string.IsNullOrEmpty(filter.Resource))
        {
            query = query.Where(e => e.Resource == filter.Resource);
        }
        if (!string.IsNullOrEmpty(filter.ResourceId))
        {
            query = query.Where(e => e.ResourceId == filter.ResourceId);
        }
        if (filter.From is { } from)
        {
            query = query.Where(e => e.CreatedAt >= from);
        }
        if (filter.To is { } to)
        {
            query = query.Where(e => e.CreatedAt < to);
        }
        return query.OrderByDescending(e => e.Id);
    }

    /// <summary>RFC 4180 CSV with a header row; times in ISO 8601 UTC.</summary>
    public static string ToCsv(IEnumerable<AuditEntry> entries)
    {
        var csv = new StringBuilder("id,created_at,user_id,username,action,resource,resource_id,ip_address,user_agent,metadata\r\n");
        foreach (var e in entries)
        {
            csv.AppendJoin(',', new[]
            {
                e.Id.ToString(CultureInfo.InvariantCulture), e.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                e.UserId?.ToString(CultureInfo.InvariantCulture), e.Username, e.Action, e.Resource, e.ResourceId, e.IpAddress, e.UserAgent, e.Metadata,
            }.Select(Field)).Append("\r\n");
        }
        return csv.ToString();
    }

    private static string Field(string? value) =>
        value is null ? ""
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : value;
}
