using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary>
/// <c>POST /api/tokens</c>: a token for the caller, scoped to a role no wider than what the caller
/// holds (a viewer token cannot mint an admin token). The secret is in this answer only.
/// </summary>
public static class CreateToken
{
    public sealed class Request
    {
        public string? Name { get; set; }
        /// <summary>The role whose permissions the token carries; defaults to viewer.</summary>
        public string? Role { get; set; }
        /// <summary>A duration such as <c>30d</c> or <c>12h</c>; null for no expiry.</summary>
        public string? ExpiresIn { get; set; }
    }

    public sealed record Response(int Id, string Name, string Role, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    public static async Task<Results<Created<Response>, ValidationProblem, ProblemHttpResult>> Handle(
        Request? body, HttpContext context, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON object with name, role and expires_in is required");
        }
        var result = await CreateAsync(context.Caller(), body, db, audit, clock, cancellationToken);
        return result switch
        {
            { Errors.Count: > 0 } => Problems.Validation(result.Errors),
            { Forbidden: { } reason } => Problems.Forbidden("role", reason),
            _ => TypedResults.Created($"/api/tokens/{result.Created!.Id}", result.Created),
        };
    }

    public sealed record Outcome(Response? Created, IReadOnlyList<FieldError> Errors, string? Forbidden);

    /// <summary>The use case, shared by the API and the console's tokens page.</summary>
    public static async Task<Outcome> CreateAsync(Caller caller, Request body, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        body.Role ??= Access.Role.Viewer;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
        {
            errors.Add(new FieldError("name", "a name of 1-100 characters is required (what uses the token, e.g. \"ci-deploys\")"));
        }
        if (!Access.Role.IsKnown(body.Role))
        {
            errors.Add(new FieldError("role", $"unknown role \"{body.Role}\"; the roles are {string.Join(", ", Access.Role.All)}"));
        }
        TimeSpan? lifetime = null;
        if (!string.IsNullOrEmpty(body.ExpiresIn))
        {
            if (!Duration.TryParse(body.ExpiresIn, out var parsed) || parsed <= TimeSpan.Zero)
            {
                errors.Add(new FieldError("expires_in", "a positive duration such as 30d or 12h, or null for no expiry"));
            }
            lifetime = parsed;
        }
        if (errors.Count > 0)
        {
            return new Outcome(null, errors, null);
        }
        if (caller.MustChangePassword || caller.MustEnrolMfa)
        {
            // Otherwise a token would be a way around the password change or the MFA requirement.
            return new Outcome(null, [], "change your one-time password and enrol MFA where your role requires it before creating tokens");
        }
        if (!RolePermissions.MayGrant(caller.Permissions, body.Role))
        {
            return new Outcome(null, [], $"a token cannot carry role \"{body.Role}\": it grants more than you hold");
        }
        var now = clock.GetUtcNow();
        var secret = ApiToken.NewSecret();
        var token = new ApiToken
        {
            UserId = caller.UserId!.Value,
            Name = body.Name!.Trim(),
            Hash = ApiToken.HashOf(secret),
            Hint = secret[..(ApiToken.Prefix.Length + 6)],
            Role = body.Role,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record("create", "api_token", token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { name = token.Name, role = token.Role, expires_at = token.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Outcome(new Response(token.Id, token.Name, token.Role, secret, token.CreatedAt, token.ExpiresAt), [], null);
    }
}
