using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// The console's password change (required first for one-time passwords). A new security stamp
/// ends every other session of the user; this one is renewed.
/// </summary>
public static class ChangePassword
{
    /// <summary>Null when changed; otherwise what is wrong, for the form.</summary>
    public static async Task<string?> ChangeAsync(HttpContext context, string? current, string? next, string? confirm, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == context.Caller().UserId, cancellationToken);
        if (!Passwords.Verify(user, current ?? ""))
        {
            return "The current password is wrong.";
        }
        if (Passwords.Weakness(next, user.Username) is { } weakness)
        {
            return $"The new password {weakness}.";
        }
        if (next != confirm)
        {
            return "The two new passwords differ.";
        }
        if (next == current)
        {
            return "The new password must differ from the current one.";
        }
        user.PasswordHash = Passwords.Hash(user, next!);
        user.MustChangePassword = false;
        user.SecurityStamp = Passwords.NewSecurityStamp();
        audit.Record("password_change", "user", user.Id.ToString(CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(cancellationToken);
        BootstrapAdministrator.ForgetOneTimePassword(context.RequestServices, user.Username);
        await context.SignInAsync(ResolveCaller.Scheme, ResolveCaller.SessionPrincipal(user));
        return null;
    }
}
