namespace Vigil.Features.Monitors;

/// <summary>
/// What of a monitor is a credential: the heartbeat token (whoever has it can keep a dead man's
/// switch green) and the values of headers whose names say they carry one (<c>Authorization</c>,
/// <c>Cookie</c>, <c>X-Api-Key</c>, anything with auth, token, key, secret, password, session or
/// cookie in its name). Those are shown only to callers who may edit monitors.
/// </summary>
public static class MonitorSecrets
{
    public const string Redacted = "(secret)";

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
}
