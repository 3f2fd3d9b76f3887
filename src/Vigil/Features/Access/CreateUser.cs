using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary>
/// <c>POST /api/users</c>: adds a user with roles no wider than the creator's. Without a password,
/// a one-time password is generated, returned once, and must be changed at first sign-in.
/// </summary>
public static partial class CreateUser
{
    public sealed class Request
    {
        public string? Username { get; set; }
        public string? DisplayName { get; set; }
        public string? Email { get; set; }
        public string? Password { get; set; }
        public List<RoleGrant>? Roles { get; set; }
    }

    public sealed record Response(UserView User, string? OneTimePassword);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")]
    private static partial Regex UsernamePattern();

    public static async Task<Results<Created<Response>, ValidationProblem, ProblemHttpResult>> Handle(
        Request? body, HttpContext context, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON user is required");
        }
        var errors = Validate(body).ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var caller = context.Caller();
        if (body.Roles!.FirstOrDefault(r => !RolePermissions.MayGrant(caller.Permissions, r.Role)) is { } wider)
        {
            return Problems.Forbidden("roles", $"role \"{wider.Role}\" grants more than you hold; you can grant only roles within your own permissions");
        }
        if (await db.Users.AnyAsync(u => u.Username == body.Username, cancellationToken))
        {
            return Problems.Conflict($"a user named \"{body.Username}\" already exists");
        }
        var oneTime = body.Password is null ? Passwords.OneTimePassword() : null;
        var user = NewUser(body.Username!, body.Password ?? oneTime!, mustChangePassword: oneTime is not null, body.Roles!, clock.GetUtcNow());
        user.DisplayName = body.DisplayName;
        user.Email = body.Email;
        // The user's id is the audit entry's resource id, so both are saved in one transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record("create", "user", user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { username = user.Username, roles = body.Roles });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/users/{user.Id}", new Response(UserView.From(user), oneTime));
    }

    public static IEnumerable<FieldError> Validate(Request body)
    {
        if (body.Username is null || !UsernamePattern().IsMatch(body.Username))
        {
            yield return new FieldError("username", "1-100 of letters, digits and . _ @ -, starting with a letter or digit");
        }
        if (body.Password is not null && Passwords.Weakness(body.Password, body.Username ?? "") is { } weakness)
        {
            yield return new FieldError("password", weakness);
        }
        if (body.Roles is null || body.Roles.Count == 0)
        {
            yield return new FieldError("roles", $"at least one role is required: {string.Join(", ", Role.All)}");
        }
        for (var i = 0; i < (body.Roles?.Count ?? 0); i++)
        {
            if (!Role.IsKnown(body.Roles![i].Role))
            {
                yield return new FieldError($"roles[{i}].role", $"unknown role \"{body.Roles[i].Role}\"; the roles are {string.Join(", ", Role.All)}");
            }
        }
    }

    /// <summary>A new user with a hashed password and roles; the caller adds it and records the audit entry.</summary>
    public static User NewUser(string username, string password, bool mustChangePassword, IEnumerable<RoleGrant> roles, DateTimeOffset now)
    {
        var user = new User
        {
            Username = username,
            SecurityStamp = Passwords.NewSecurityStamp(),
            MustChangePassword = mustChangePassword,
            CreatedAt = now,
            Roles = roles.Distinct().Select(r => new RoleAssignment { Role = r.Role, Scope = r.Scope }).ToList(),
        };
        user.PasswordHash = Passwords.Hash(user, password);
        return user;
    }
}
