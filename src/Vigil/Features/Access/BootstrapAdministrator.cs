using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// The first super_admin: on first start with no users, <c>admin</c> with a one-time password
/// printed once to the log (to be changed at first sign-in); or one named by
/// <c>vigil admin create</c>. There is no default password.
/// </summary>
public static class BootstrapAdministrator
{
    public const string FirstUsername = "admin";

    public static async Task OnFirstStartAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return;
        }
        var password = Passwords.OneTimePassword();
        await CreateAsync(scope.ServiceProvider, FirstUsername, password, mustChangePassword: true, cancellationToken);
        scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Vigil.Access").LogWarning(
            "No users existed, so the super_admin \"{Username}\" was created with the one-time password {Password} . Sign in at /signin and choose a new password; this one is not shown again.",
            FirstUsername, password);
    }

    /// <summary>Creates a super_admin; the error when the name is taken or the password too weak.</summary>
    public static async Task<string?> CreateAsync(IServiceProvider services, string username, string password, bool mustChangePassword, CancellationToken cancellationToken)
    {
        var errors = CreateUser.Validate(new CreateUser.Request { Username = username, Password = password, Roles = [new RoleGrant(Role.SuperAdmin)] }).ToList();
        if (errors.Count > 0)
        {
            return string.Join("; ", errors.Select(e => $"{e.Path}: {e.Reason}"));
        }
        var db = services.GetRequiredService<VigilDbContext>();
        if (await db.Users.AnyAsync(u => u.Username == username, cancellationToken))
        {
            return $"a user named \"{username}\" already exists";
        }
        var user = CreateUser.NewUser(username, password, mustChangePassword, [new RoleGrant(Role.SuperAdmin)], services.GetRequiredService<TimeProvider>().GetUtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        services.GetRequiredService<AuditLog>().Record("create", "user", user.Id.ToString(CultureInfo.InvariantCulture), new { username, roles = new[] { new RoleGrant(Role.SuperAdmin) } });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }
}
