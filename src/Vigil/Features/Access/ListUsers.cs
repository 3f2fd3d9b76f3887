using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary><c>GET /api/users</c>, <c>GET /api/users/{id}</c> and <c>GET /api/me</c>.</summary>
public static class ListUsers
{
    public static async Task<List<UserView>> Handle(VigilDbContext db, CancellationToken cancellationToken) =>
        (await db.Users.AsNoTracking().Include(u => u.Roles).OrderBy(u => u.Username).ToListAsync(cancellationToken)).Select(UserView.From).ToList();

    public static async Task<Results<Ok<UserView>, ProblemHttpResult>> HandleOne(int id, VigilDbContext db, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().Include(u => u.Roles).SingleOrDefaultAsync(u => u.Id == id, cancellationToken) is { } user
            ? TypedResults.Ok(UserView.From(user))
            : Problems.NotFound($"no user {id}");

    public sealed record Me(UserView User, IReadOnlyList<string> Permissions, int? TokenId);

    /// <summary>Who the caller is and what they may do (with a token: what the token may do).</summary>
    public static async Task<Ok<Me>> HandleMe(HttpContext context, VigilDbContext db, CancellationToken cancellationToken)
    {
        var caller = context.Caller();
        var user = await db.Users.AsNoTracking().Include(u => u.Roles).SingleAsync(u => u.Id == caller.UserId, cancellationToken);
        return TypedResults.Ok(new Me(UserView.From(user), caller.Permissions.Order(StringComparer.Ordinal).ToList(), caller.TokenId));
    }
}
