using Microsoft.AspNetCore.DataProtection;

namespace Vigil.Features.Access;

/// <summary>
/// The one way secrets are kept at rest (TOTP keys now; webhook URLs, SMTP passwords and
/// PagerDuty keys in later slices): authenticated encryption with ASP.NET Core Data Protection,
/// whose keys live in <c>DATA/keys</c>. Losing that directory makes the stored secrets unreadable,
/// so back it up with the database.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Vigil.Secrets.v1");

    public string Protect(string plaintext) => protector.Protect(plaintext);

    public string Unprotect(string protectedText) => protector.Unprotect(protectedText);
}
