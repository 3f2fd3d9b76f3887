namespace Vigil.Features.Access;

public enum CallerKind
{
    Anonymous,
    /// <summary>A cookie session from the console sign-in.</summary>
    Session,
    /// <summary>An <c>Authorization: Bearer</c> API token.</summary>
    Token,
    /// <summary>The server itself or the CLI on the server's machine (first-start admin, <c>vigil admin create</c>).</summary>
    System,
}

/// <summary>Who is calling, resolved once per request by <see cref="EnforceAccess"/>, with what they may do.</summary>
public sealed record Caller(CallerKind Kind, int? UserId, string? Username, IReadOnlySet<string> Permissions, int? TokenId = null)
{
    public static Caller Anonymous { get; } = new(CallerKind.Anonymous, null, null, new HashSet<string>());

    public static Caller System { get; } = new(CallerKind.System, null, "system", new HashSet<string>());

    /// <summary>A signed-in user whose password is a one-time one: only their account pages until they change it.</summary>
    public bool MustChangePassword { get; init; }

    /// <summary>A signed-in user whose role requires MFA and who has not enrolled: only their account pages until they do.</summary>
    public bool MustEnrolMfa { get; init; }

    public bool IsAuthenticated => UserId is not null;

    public bool Has(string permission) =>
        Permissions.Contains(permission) || Permissions.Contains(Permission.Everything);

    /// <summary>The rate limiter's key: the token, else the user, else the address.</summary>
    public string ClientKey(string? ipAddress) =>
        TokenId is { } token ? $"token:{token}" : UserId is { } user ? $"user:{user}" : $"ip:{ipAddress}";
}

public static class CallerHttpContextExtensions
{
    public static Caller Caller(this HttpContext context) => context.Features.Get<Caller>() ?? Access.Caller.Anonymous;
}
