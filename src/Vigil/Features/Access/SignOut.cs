using Microsoft.AspNetCore.Authentication;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary><c>POST /signout</c> (the console's sign-out button, with its antiforgery token): ends the session.</summary>
public static class SignOut
{
    public static async Task<IResult> Handle(HttpContext context, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        if (context.Caller() is { Kind: CallerKind.Session })
        {
            audit.Record("sign_out", "session", null);
            await db.SaveChangesAsync(cancellationToken);
        }
        await context.SignOutAsync(ResolveCaller.Scheme);
        return TypedResults.Redirect("/signin");
    }
}
