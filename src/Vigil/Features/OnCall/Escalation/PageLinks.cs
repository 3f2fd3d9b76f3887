using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Vigil.Features.OnCall.Escalation;

public enum PageAction
{
    Acknowledge,
    Resolve,
}

/// <summary>What a valid one-click link says: do <see cref="Action"/> to page <see cref="PageKey"/>, on behalf of <see cref="Target"/>.</summary>
public sealed record PageLinkClaim(PageAction Action, string PageKey, string Target, DateTimeOffset ExpiresAt);

/// <summary>
/// The acknowledge and resolve links in a page: the action, the page, who it was sent to and an
/// expiry, sealed with ASP.NET Core Data Protection (authenticated encryption under the keys in
/// <c>DATA/keys</c>), so a link cannot be forged or altered, works for one page only and stops
/// working when it expires (checked against the server's clock).
/// </summary>
public sealed class PageLinks(IDataProtectionProvider provider)
{
    public const string Path = "/respond/";

    private readonly IDataProtector protector = provider.CreateProtector("Vigil.OnCall.PageLinks.v1");

    public string Token(PageAction action, string pageKey, string target, DateTimeOffset expiresAt) =>
        protector.Protect(string.Join('\n', action.ToString(), pageKey, expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), target));

    public static string Url(string baseUrl, string token) => $"{baseUrl.TrimEnd('/')}{Path}{token}";

    /// <summary>The claim of a genuine, unexpired token; null for anything else.</summary>
    public PageLinkClaim? Read(string token, DateTimeOffset now)
    {
        string text;
        try
        {
            text = protector.Unprotect(token);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
        var parts = text.Split('\n', 4);
        if (parts.Length != 4 || !Enum.TryParse<PageAction>(parts[0], out var action)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        return now >= expiresAt ? null : new PageLinkClaim(action, parts[1], parts[3], expiresAt);
    }
}
