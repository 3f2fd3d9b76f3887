using System.Security.Cryptography;
using System.Text;
using Vigil.Configuration;

namespace Vigil.Features.Alerting.Inbound;

public enum IntegrationType
{
    /// <summary>Alertmanager API v2 <c>POST /api/v2/alerts</c> (Prometheus, vmalert, another Alertmanager).</summary>
    Alertmanager,
    /// <summary>PagerDuty Events API v2 <c>POST /api/integrations/pagerduty/enqueue</c>.</summary>
    Pagerduty,
    /// <summary>A JSON webhook <c>POST /api/integrations/webhook/{name}</c>.</summary>
    Webhook,
}

/// <summary>One entry of <c>alerting.integrations</c>: a sender of alerts and the file that holds its token.</summary>
public sealed class IntegrationDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public IntegrationType Type { get; set; } = IntegrationType.Alertmanager;
    /// <summary>A file holding the token (relative to vigil.yaml's directory); only its hash is kept in memory.</summary>
    [ConfigRequired]
    public string? TokenFile { get; set; }
}

/// <summary>
/// The integrations in force, each known by the SHA-256 hash of its token only (read from its
/// <c>token_file</c> when the configuration is applied). A token is compared in constant time.
/// </summary>
public sealed class IntegrationTokens : IConfigConsumer
{
    private volatile IReadOnlyList<(string Name, IntegrationType Type, byte[] Hash)> integrations = [];

    public static IEnumerable<FieldError> Validate(IReadOnlyList<IntegrationDefinition> definitions)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definitions.Count; i++)
        {
            var d = definitions[i];
            if (d.Name is not null && !names.Add(d.Name))
            {
                yield return new FieldError($"alerting.integrations[{i}].name", $"duplicate integration name \"{d.Name}\"");
            }
            if (d.TokenFile is not null && (!File.Exists(d.TokenFile) || File.ReadAllText(d.TokenFile).Trim().Length < 16))
            {
                yield return new FieldError($"alerting.integrations[{i}].token_file", File.Exists(d.TokenFile)
                    ? "the token must be at least 16 characters"
                    : $"no such file: {d.TokenFile}");
            }
        }
    }

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        integrations = [.. config.Alerting.Integrations.Select(d => (d.Name!, d.Type, Hash(File.ReadAllText(d.TokenFile!).Trim())))];
        return Task.CompletedTask;
    }

    /// <summary>The name of the integration of <paramref name="type"/> whose token this is, if any.</summary>
    public string? Find(IntegrationType type, string? token, string? name = null)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var hash = Hash(token);
        string? found = null;
        foreach (var (n, t, h) in integrations)
        {
            // Every candidate is compared, so the time taken says nothing about which one matched.
            if (t == type && (name is null || n == name) && CryptographicOperations.FixedTimeEquals(h, hash))
            {
                found = n;
            }
        }
        return found;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
