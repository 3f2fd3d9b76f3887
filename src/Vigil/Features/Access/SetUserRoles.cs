using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary>
/// <c>PUT /api/users/{id}/roles</c>: replaces a user's roles. The caller must be able to grant
/// every role added and every role removed (an admin cannot demote a super_admin), and the last
/// super_admin keeps the role.
/// </summary>
public static class SetUserRoles
{
    public sealed class Request
    {
        public List<RoleGrant>? Roles { get; set; }
    }

    public static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> Handle(
        int id, Request? body, HttpContext context, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var errors = CreateUser.Validate(new CreateUser.Request { Username = "x", Roles = body?.Roles }).ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        return await ChangeAsync(context.Caller(), id, body!.Roles!, db, audit, cancellationToken);
    }

    public static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        Caller caller, int id, IReadOnlyList<RoleGrant> roles, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.Include(u => u.Roles).SingleOrDefaultAsync(u => u.Id == id && u.ErasedAt == null, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound($"no user {id}");
        }
        var before = user.Roles.Select(r => new RoleGrant(r.Role, r.Scope)).ToHashSet();
        var after = roles.ToHashSet();
        if (before.Except(after).Concat(after.Except(before)).FirstOrDefault(r => !RolePermissions.MayGrant(caller.Permissions, r.Role)) is { } wider)
        {
            return Problems.Forbidden("roles", $"role \"{wider.Role}\" grants more than you hold, so you can neither grant nor remove it");
        }
        if (before.Contains(new RoleGrant(Role.SuperAdmin)) && !after.Contains(new RoleGrant(Role.SuperAdmin))
            && await IsLastSuperAdminAsync(db, id, cancellationToken))
        {
            return Problems.Conflict($"\"{user.Username}\" is the last super_admin; make someone else super_admin first");
        }
        user.Roles.RemoveAll(r => !after.Contains(new RoleGrant(r.Role, r.Scope)));
        user.Roles.AddRange(after.Except(before).Select(r => new RoleAssignment { Role = r.Role, Scope = r.Scope }));
        audit.Record("roles_change", "user", id.ToString(CultureInfo.InvariantCulture), new { before, after });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(UserView.From(user));
    }

    /// <summary>Whether no one but this user holds super_admin globally: then the role must stay.</summary>
    public static async Task<bool> IsLastSuperAdminAsync(VigilDbContext db, int userId, CancellationToken cancellationToken) =>
        !await db.RoleAssignments.AnyAsync(r => r.Role == Role.SuperAdmin && r.Scope == null && r.UserId != userId, cancellationToken);
}
