using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary><c>DELETE /api/tokens/{id}</c>: revokes a token at once (its next request is refused). One's own, or anyone's with <c>access.manage</c>.</summary>
public static class RevokeToken
{
    public static async Task<Results<NoContent, ProblemHttpResult>> Handle(int id, HttpContext context, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken) =>
        await RevokeAsync(context.Caller(), id, db, audit, clock, cancellationToken) is { } problem ? problem : TypedResults.NoContent();

    /// <summary>Null when revoked (or already revoked); otherwise the problem.</summary>
    public static async Task<ProblemHttpResult?> RevokeAsync(Caller caller, int id, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (token is null || (token.UserId != caller.UserId && !caller.Has(Permission.AccessManage)))
        {
            return Problems.NotFound($"no token {id}");
        }
        if (token.RevokedAt is not null)
        {
            return null;
        }
        token.RevokedAt = clock.GetUtcNow();
        audit.Record("revoke", "api_token", id.ToString(CultureInfo.InvariantCulture), new { name = token.Name, owner_id = token.UserId });
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }
}
