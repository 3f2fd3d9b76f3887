using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// Finds who is calling: an <c>Authorization: Bearer</c> token (or the same token as the password
/// of <c>Authorization: Basic</c>, any username, for clients that can only send basic auth, such as
/// promtool and Grafana's basic-auth data sources), else the console's session cookie, else nobody. A token that is unknown, revoked or expired is an error (the caller meant
/// to authenticate), not an anonymous call.
/// </summary>
public static class ResolveCaller
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string UserIdClaim = "vigil:uid";
    public const string StampClaim = "vigil:stamp";

    /// <summary>Token use is recorded at most this often per token, so a busy script does not write on every request.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public sealed record Result(Caller Caller, string? Rejection);

    /// <param name="tokens">Tokens read lately (one process only), or null to read every token from the store.</param>
    public static async Task<Result> ResolveAsync(HttpContext context, VigilDbContext db, TimeProvider clock, AccessSettings settings, TokenLookups? tokens = null)
    {
        var now = clock.GetUtcNow();
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            return TokenOf(header) is { } secret
                ? await FromTokenAsync(secret, db, now, settings, tokens)
                : new(Caller.Anonymous, "the Authorization header must be \"Bearer <token>\", or \"Basic\" with the token as the password");
        }
        var session = await context.AuthenticateAsync(Scheme);
        if (!session.Succeeded || !int.TryParse(session.Principal.FindFirstValue(UserIdClaim), out var userId))
        {
            return new(Caller.Anonymous, null);
        }
        var user = await db.Users.AsNoTracking().Include(u => u.Roles).SingleOrDefaultAsync(u => u.Id == userId);
        if (user is null || user.ErasedAt is not null || user.SecurityStamp != session.Principal.FindFirstValue(StampClaim) || user.LockedUntil > now)
        {
            // Password changed, user erased or locked: the session ends.
            await context.SignOutAsync(Scheme);
            return new(Caller.Anonymous, null);
        }
        var roles = user.GlobalRoles.ToList();
        return new(new Caller(CallerKind.Session, user.Id, user.Username, RolePermissions.Union(roles))
        {
            MustChangePassword = user.MustChangePassword,
            MustEnrolMfa = !user.MfaEnabled && roles.Any(settings.MfaRequiredRoles.Contains),
        }, null);
    }

    /// <summary>
    /// The token of an <c>Authorization</c> header: <c>Bearer TOKEN</c>, or <c>Basic base64(USER:TOKEN)</c>
    /// (RFC 7617; the username is ignored). Null when the header is neither.
    /// </summary>
    public static string? TokenOf(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var decoded = new byte[header.Length];
        if (!Convert.TryFromBase64String(header["Basic ".Length..].Trim(), decoded, out var length))
        {
            return null;
        }
        var pair = System.Text.Encoding.UTF8.GetString(decoded, 0, length);
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : pair[(colon + 1)..];
    }

    private static async Task<Result> FromTokenAsync(string secret, VigilDbContext db, DateTimeOffset now, AccessSettings settings, TokenLookups? tokens)
    {
        var hash = ApiToken.HashOf(secret);
        var token = tokens?.Find(hash);
        if (token is null)
        {
            var version = tokens?.VersionBeforeRead ?? 0;
            token = await db.ApiTokens.AsNoTracking().Include(t => t.User!).ThenInclude(u => u.Roles).SingleOrDefaultAsync(t => t.Hash == hash);
            if (token is { User.ErasedAt: null, RevokedAt: null })
            {
                tokens?.Keep(hash, token, version);
            }
        }
        if (token is null || token.User is null || token.User.ErasedAt is not null)
        {
            return new(Caller.Anonymous, "the token is not valid");
        }
        if (token.RevokedAt is not null)
        {
            return new(Caller.Anonymous, "the token has been revoked");
        }
        if (!token.IsUsableAt(now))
        {
            return new(Caller.Anonymous, "the token has expired");
        }
        if (token.LastUsedAt is null || now - token.LastUsedAt >= LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, (DateTimeOffset?)now));
            // The kept copy too, so that a kept token is recorded as used once a minute as well.
            token.LastUsedAt = now;
        }
        // A token never does more than its owner may do now: demoting the owner narrows the token.
        var owner = RolePermissions.Union(token.User.GlobalRoles);
        var permissions = RolePermissions.Of(token.Role).Where(owner.Contains).ToHashSet(StringComparer.Ordinal);
        // The owner's obligations bind their tokens too: a token made before MFA became required does
        // not get around enrolment (AccessDecision refuses a token everything until the owner enrols).
        return new(new Caller(CallerKind.Token, token.UserId, token.User.Username, permissions, token.Id)
        {
            MustChangePassword = token.User.MustChangePassword,
            MustEnrolMfa = !token.User.MfaEnabled && token.User.GlobalRoles.Any(settings.MfaRequiredRoles.Contains),
        }, null);
    }

    /// <summary>The claims of a console session: the user, and the stamp that a password change or erasure invalidates.</summary>
    public static ClaimsPrincipal SessionPrincipal(User user) =>
        new(new ClaimsIdentity(
            [new Claim(UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim(StampClaim, user.SecurityStamp), new Claim(ClaimTypes.Name, user.Username)],
            Scheme, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>The caller as a principal, for console pages (<c>context.User</c>).</summary>
    public static ClaimsPrincipal CallerPrincipal(Caller caller) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Username ?? "")], caller.Kind.ToString(), ClaimTypes.Name, ClaimTypes.Role));
}
