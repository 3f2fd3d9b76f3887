using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// The first super_admin: on first start with no users, <c>admin</c> with a one-time password, to be
/// changed at first sign-in; or one named by <c>vigil admin create</c>. There is no default password.
/// The one-time password is logged once and kept in <c>DATA/admin-password</c> (mode 0600, the
/// owner's only) until it is changed, so a start that fails or a log that scrolled away does not lose it.
/// </summary>
public static class BootstrapAdministrator
{
    public const string FirstUsername = "admin";
    public const string PasswordFileName = "admin-password";

    public static async Task OnFirstStartAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Vigil.Access");
        var file = PasswordFile(services);
        if (await db.Users.AnyAsync(cancellationToken))
        {
            if (file is not null && File.Exists(file))
            {
                if (await db.Users.AnyAsync(u => u.Username == FirstUsername && u.MustChangePassword, cancellationToken))
                {
                    logger.LogWarning("The super_admin \"{Username}\" has not chosen a password yet: its one-time password is in {File} . Sign in at /signin and choose a new one.", FirstUsername, file);
                }
                else
                {
                    File.Delete(file);
                }
            }
            return;
        }
        var password = Passwords.OneTimePassword();
        await CreateAsync(scope.ServiceProvider, FirstUsername, password, mustChangePassword: true, cancellationToken);
        if (file is not null)
        {
            await WriteOwnerOnlyAsync(file, password + "\n", cancellationToken);
        }
        logger.LogWarning(
            "No users existed, so the super_admin \"{Username}\" was created with the one-time password {Password} . Sign in at /signin and choose a new password. Until then the password is also in {File} (readable by its owner only); it is removed when the password is changed.",
            FirstUsername, password, file ?? "(no data directory)");
    }

    /// <summary>Removes the kept one-time password once <paramref name="username"/> has chosen a password of their own.</summary>
    public static void ForgetOneTimePassword(IServiceProvider services, string username)
    {
        if (username == FirstUsername && PasswordFile(services) is { } file)
        {
            File.Delete(file);
        }
    }

    private static string? PasswordFile(IServiceProvider services) =>
        services.GetService<Hosting.ServeOptions>() is { } options ? Path.Combine(options.DataDirectory, PasswordFileName) : null;

    private static async Task WriteOwnerOnlyAsync(string file, string text, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created with 0600, never readable by others even for a moment.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var stream = new FileStream(file, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(text.AsMemory(), cancellationToken);
        }
        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies to new files only; an old file keeps its mode otherwise.
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
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
