using Vigil.Features.Access;

namespace Vigil.Features.Monitors;

/// <summary>
/// What of a monitor is a credential: the heartbeat token (whoever has it can keep a dead man's
/// switch green) and the values of headers whose names say they carry one (<c>Authorization</c>,
/// <c>Cookie</c>, <c>X-Api-Key</c>, anything with auth, token, key, secret, password, session or
/// cookie in its name). Those are shown only to callers who may edit monitors, and are kept at
/// rest encrypted through <see cref="SecretProtector"/> (marked with <see cref="ProtectedPrefix"/>
/// in the stored definition); the heartbeat row also holds the token's SHA-256 for the ping lookup.
/// </summary>
public static class MonitorSecrets
{
    public const string Redacted = "(secret)";

    /// <summary>Marks a value in a stored definition as encrypted; values without it were stored in clear by an older Vigil.</summary>
    public const string ProtectedPrefix = "protected:v1:";

    private static readonly string[] SecretWords = ["auth", "token", "key", "secret", "password", "session", "cookie"];

    public static bool IsSecretHeader(string name) => SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>The definition as a viewer sees it: no token, secret header values replaced.</summary>
    public static MonitorDefinition Redact(MonitorDefinition d)
    {
        d.Token = d.Token is null ? null : Redacted;
        d.Headers = RedactHeaders(d.Headers);
        foreach (var step in d.Steps ?? [])
        {
            step.Headers = RedactHeaders(step.Headers);
        }
        return d;
    }

    private static Dictionary<string, string>? RedactHeaders(Dictionary<string, string>? headers) =>
        headers?.ToDictionary(h => h.Key, h => IsSecretHeader(h.Key) ? Redacted : h.Value);

    /// <summary>
    /// The definition as stored: token and secret header values (all in clear) encrypted. A value whose clear
    /// text equals one in <paramref name="reuse"/> keeps that cipher text, so saving an unchanged
    /// monitor leaves its stored definition unchanged (the scheduler keys on it).
    /// </summary>
    public static MonitorDefinition Protect(MonitorDefinition d, SecretProtector secrets, IReadOnlyDictionary<string, string>? reuse = null)
    {
        string Seal(string value) => reuse is not null && reuse.TryGetValue(value, out var kept) ? kept
            : ProtectedPrefix + secrets.Protect(value);
        return Map(d, Seal);
    }

    /// <summary>The definition with its secrets in clear, for a probe or an editor; values stored in clear by an older Vigil pass through.</summary>
    public static MonitorDefinition Unprotect(MonitorDefinition d, SecretProtector secrets) =>
        Map(d, v => IsProtected(v) ? secrets.Unprotect(v[ProtectedPrefix.Length..]) : v);

    /// <summary>Clear text to cipher text of every protected value in a stored definition.</summary>
    public static Dictionary<string, string> ProtectedValues(MonitorDefinition stored, SecretProtector secrets)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        Map(stored, v =>
        {
            if (IsProtected(v))
            {
                found.TryAdd(secrets.Unprotect(v[ProtectedPrefix.Length..]), v);
            }
            return v;
        });
        return found;
    }

    /// <summary>Whether any secret of a stored definition is still in clear (written by an older Vigil).</summary>
    public static bool HasClearSecrets(MonitorDefinition stored)
    {
        var clear = false;
        Map(stored, v =>
        {
            clear |= !IsProtected(v);
            return v;
        });
        return clear;
    }

    private static bool IsProtected(string value) => value.StartsWith(ProtectedPrefix, StringComparison.Ordinal);

    private static MonitorDefinition Map(MonitorDefinition d, Func<string, string> secret)
    {
        d.Token = d.Token is null ? null : secret(d.Token);
        d.Headers = MapHeaders(d.Headers, secret);
        foreach (var step in d.Steps ?? [])
        {
            step.Headers = MapHeaders(step.Headers, secret);
        }
        return d;
    }

    private static Dictionary<string, string>? MapHeaders(Dictionary<string, string>? headers, Func<string, string> secret) =>
        headers?.ToDictionary(h => h.Key, h => IsSecretHeader(h.Key) ? secret(h.Value) : h.Value);
}
