using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Prometheus;
using Vigil.Data;

namespace Vigil.Features.Access;

public enum SignInOutcome
{
    Succeeded,
    /// <summary>Unknown user or wrong password: the same answer for both.</summary>
    Invalid,
    Locked,
    /// <summary>The password was right and the user has MFA: ask for the code.</summary>
    CodeRequired,
    CodeInvalid,
}

/// <summary>
/// Checks a console sign-in: password, lock, TOTP or recovery code. Every attempt is an audit entry
/// (<c>sign_in</c>, <c>sign_in_failed</c>, and <c>lock</c> when failures lock the account) and
/// every failure is counted in <c>vigil_signin_failures_total{user,ip}</c>.
/// </summary>
public static class SignIn
{
    private static readonly Counter Failures = Prometheus.Metrics.CreateCounter(
        "vigil_signin_failures_total", "Failed console sign-ins, by username (\"unknown\" when no such user) and client address.", "user", "ip");

    public sealed record Result(SignInOutcome Outcome, User? User, DateTimeOffset? LockedUntil = null);

    private static readonly User TimingDummy = CreateTimingDummy();

    private static User CreateTimingDummy()
    {
        var user = new User { Username = "", SecurityStamp = "" };
        user.PasswordHash = Passwords.Hash(user, Passwords.OneTimePassword());
        return user;
    }

    public static async Task<Result> AttemptAsync(
        string? username, string? password, string? code, string? ip,
        VigilDbContext db, AuditLog audit, TimeProvider clock, AccessSettings settings, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        username = username?.Trim() ?? "";
        var user = await db.Users.Include(u => u.RecoveryCodes).SingleOrDefaultAsync(u => u.Username == username && u.ErasedAt == null, cancellationToken);
        if (user is null)
        {
            // As long as a real check, so the answer's timing does not tell which usernames exist.
            _ = Passwords.Verify(TimingDummy, password ?? "");
            Failures.WithLabels("unknown", ip ?? "").Inc();
            audit.Record("sign_in_failed", "session", null, new { username, reason = "unknown_user" });
            await db.SaveChangesAsync(cancellationToken);
            return new Result(SignInOutcome.Invalid, null);
        }
        var state = new FailureState(user.FailedSignIns, user.FirstFailedSignInAt, user.LockedUntil);
        if (Lockout.IsLocked(state, now))
        {
            audit.Record("sign_in_failed", "session", null, new { reason = "locked" }, actor: user);
            await db.SaveChangesAsync(cancellationToken);
            return new Result(SignInOutcome.Locked, user, user.LockedUntil);
        }
        if (!Passwords.Verify(user, password ?? ""))
        {
            return await FailAsync(user, state, "wrong_password", SignInOutcome.Invalid);
        }
        if (user.MfaSecret is not null)
        {
            if (string.IsNullOrWhiteSpace(code))
            {
                return new Result(SignInOutcome.CodeRequired, user);
            }
            if (!AcceptSecondFactor(user, code, now, secrets))
            {
                return await FailAsync(user, state, "wrong_code", SignInOutcome.CodeInvalid);
            }
        }
        user.FailedSignIns = 0;
        user.FirstFailedSignInAt = null;
        user.LastSignInAt = now;
        audit.Record("sign_in", "session", null, new { mfa = user.MfaSecret is not null }, actor: user);
        await db.SaveChangesAsync(cancellationToken);
        return new Result(SignInOutcome.Succeeded, user);

        async Task<Result> FailAsync(User user, FailureState state, string reason, SignInOutcome outcome)
        {
            Failures.WithLabels(user.Username, ip ?? "").Inc();
            var (next, lockedNow) = Lockout.AfterFailure(state, now, settings.Lockout);
            (user.FailedSignIns, user.FirstFailedSignInAt, user.LockedUntil) = (next.Count, next.FirstAt, next.LockedUntil);
            audit.Record("sign_in_failed", "session", null, new { reason }, actor: user);
            if (lockedNow)
            {
                audit.Record("lock", "user", user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    new { failures = settings.Lockout.Failures, window = settings.Lockout.Window.ToString(), locked_until = next.LockedUntil }, actor: user);
            }
            await db.SaveChangesAsync(cancellationToken);
            return new Result(lockedNow ? SignInOutcome.Locked : outcome, user, next.LockedUntil);
        }
    }

    /// <summary>A TOTP code (not one used before) or an unused recovery code, which is then spent.</summary>
    private static bool AcceptSecondFactor(User user, string code, DateTimeOffset now, SecretProtector secrets)
    {
        var key = Convert.FromBase64String(secrets.Unprotect(user.MfaSecret!));
        if (Totp.Verify(key, code, now, user.MfaLastStep) is { } step)
        {
            user.MfaLastStep = step;
            return true;
        }
        var hash = RecoveryCodes.HashOf(code);
        if (user.RecoveryCodes.FirstOrDefault(r => r.UsedAt is null && r.Hash == hash) is { } recovery)
        {
            recovery.UsedAt = now;
            return true;
        }
        return false;
    }
}

/// <summary>One-time recovery codes for a lost authenticator: ten of <c>xxxxx-xxxxx</c>, kept as SHA-256 hashes.</summary>
public static class RecoveryCodes
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    public static List<string> Generate(int count = 10) =>
        Enumerable.Range(0, count).Select(_ => $"{RandomNumberGenerator.GetString(Alphabet, 5)}-{RandomNumberGenerator.GetString(Alphabet, 5)}").ToList();

    public static string HashOf(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim().ToLowerInvariant())));
}
