using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// <c>POST /signout</c> (the console's sign-out button, with its antiforgery token): ends the
/// session on the server, not only in the browser. The user's security stamp is renewed, so every
/// session cookie issued to them before (a copied cookie, another browser) stops working.
/// </summary>
public static class SignOut
{
    public static async Task<IResult> Handle(HttpContext context, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        if (context.Caller() is { Kind: CallerKind.Session, UserId: { } userId })
        {
            var stamp = Passwords.NewSecurityStamp();
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.SecurityStamp, stamp), cancellationToken);
            audit.Record("sign_out", "session", null);
            await db.SaveChangesAsync(cancellationToken);
        }
        await context.SignOutAsync(ResolveCaller.Scheme);
        return TypedResults.Redirect("/signin");
    }
}
