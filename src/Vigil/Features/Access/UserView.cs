namespace Vigil.Features.Access;

public sealed record RoleGrant(string Role, string? Scope = null);

/// <summary>A user as the API shows it: never the password hash, MFA secret or recovery codes.</summary>
public sealed record UserView(
    int Id,
    string Username,
    string? DisplayName,
    string? Email,
    IReadOnlyList<RoleGrant> Roles,
    bool MfaEnabled,
    bool MustChangePassword,
    DateTimeOffset? LockedUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSignInAt,
    bool Erased)
{
    public static UserView From(User u) => new(
        u.Id, u.Username, u.DisplayName, u.Email,
        u.Roles.OrderBy(r => Role.All.ToList().IndexOf(r.Role)).ThenBy(r => r.Scope).Select(r => new RoleGrant(r.Role, r.Scope)).ToList(),
        u.MfaEnabled, u.MustChangePassword, u.LockedUntil, u.CreatedAt, u.LastSignInAt, u.ErasedAt is not null);
}
