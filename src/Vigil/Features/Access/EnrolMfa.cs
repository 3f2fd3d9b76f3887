using System.Globalization;
using Microsoft.EntityFrameworkCore;
using QRCoder;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// TOTP enrolment from the console: a new key is offered (as a QR code, an <c>otpauth://</c> URI and
/// the base32 secret), confirmed with a first code, then stored through <see cref="SecretProtector"/>
/// with ten one-time recovery codes shown once. Disabling needs a current code.
/// </summary>
public static class EnrolMfa
{
    public const string Issuer = "Vigil";

    public sealed record Offer(string ProtectedKey, string Secret, string Uri, string QrPngBase64);

    /// <summary>A new key to scan. The key travels in the form protected, so the server keeps no state until it is confirmed.</summary>
    public static Offer NewOffer(string username, SecretProtector secrets)
    {
        var key = Totp.NewKey();
        var uri = Totp.Uri(Issuer, username, key);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(5);
        return new Offer(secrets.Protect(Convert.ToBase64String(key)), Totp.Base32(key), uri, Convert.ToBase64String(png));
    }

    /// <summary>The recovery codes when the code matches the offered key; null when it does not.</summary>
    public static async Task<List<string>?> ConfirmAsync(int userId, string protectedKey, string? code, VigilDbContext db, AuditLog audit, TimeProvider clock, SecretProtector secrets, CancellationToken cancellationToken)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(secrets.Unprotect(protectedKey));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var step = Totp.Verify(key, code, clock.GetUtcNow(), lastUsedStep: 0);
        if (step is null)
        {
            return null;
        }
        var user = await db.Users.Include(u => u.RecoveryCodes).SingleAsync(u => u.Id == userId, cancellationToken);
        var codes = RecoveryCodes.Generate();
        user.MfaSecret = protectedKey;
        user.MfaLastStep = step.Value;
        user.RecoveryCodes.Clear();
        user.RecoveryCodes.AddRange(codes.Select(c => new RecoveryCode { Hash = RecoveryCodes.HashOf(c) }));
        audit.Record("mfa_enable", "user", userId.ToString(CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(cancellationToken);
        return codes;
    }

    /// <summary>Turns MFA off after a valid current code; false when the code is wrong.</summary>
    public static async Task<bool> DisableAsync(int userId, string? code, VigilDbContext db, AuditLog audit, TimeProvider clock, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var user = await db.Users.Include(u => u.RecoveryCodes).SingleAsync(u => u.Id == userId, cancellationToken);
        if (user.MfaSecret is null || Totp.Verify(Convert.FromBase64String(secrets.Unprotect(user.MfaSecret)), code, clock.GetUtcNow(), user.MfaLastStep) is null)
        {
            return false;
        }
        user.MfaSecret = null;
        user.MfaLastStep = 0;
        user.RecoveryCodes.Clear();
        audit.Record("mfa_disable", "user", userId.ToString(CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
