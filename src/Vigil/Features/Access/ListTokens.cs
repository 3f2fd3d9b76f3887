using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary><c>GET /api/tokens</c>: the caller's tokens (all users' for <c>access.manage</c> with <c>?all=true</c>); never the secrets.</summary>
public static class ListTokens
{
    public sealed record TokenView(int Id, int UserId, string Owner, string Name, string Hint, string Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

    public static async Task<List<TokenView>> Handle(HttpContext context, VigilDbContext db, bool? all, CancellationToken cancellationToken)
    {
        var caller = context.Caller();
        return await Query(db, all == true && caller.Has(Permission.AccessManage) ? null : caller.UserId).ToListAsync(cancellationToken);
    }

    public static IQueryable<TokenView> Query(VigilDbContext db, int? userId) =>
        db.ApiTokens.AsNoTracking()
            .Where(t => userId == null || t.UserId == userId)
            .OrderBy(t => t.Id)
            .Select(t => new TokenView(t.Id, t.UserId, t.User!.Username, t.Name, t.Hint, t.Role, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt));
}
