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
    /// <summary>A CI system reporting deployments to <c>POST /api/deployments/webhook/{token}</c> (docs/deployments.md).</summary>
    Deployments,
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
    /// <summary>For <c>type: webhook</c>: where the alert's parts are in the posted JSON.</summary>
    public WebhookMapping? Mapping { get; set; }
}

/// <summary>
/// Dotted paths into a webhook's JSON (<c>data.issue.title</c>, <c>alerts.0.status</c>): which
/// field is the alert's name, labels, annotations, status, and identity.
/// </summary>
public sealed class WebhookMapping
{
    /// <summary>The path of the alert's name (label <c>alertname</c>).</summary>
    [ConfigRequired]
    public string? Alertname { get; set; }
    /// <summary>Label name → path.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>Annotation name → path.</summary>
    public Dictionary<string, string> Annotations { get; set; } = [];
    /// <summary>The path of the status; the alert is resolved when it equals <see cref="ResolvedValue"/>.</summary>
    public string? Status { get; set; }
    public string ResolvedValue { get; set; } = "resolved";
    /// <summary>The path of a key that identifies the alert across trigger and resolve (label <c>dedup_key</c>).</summary>
    public string? DedupKey { get; set; }
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
            if (d.Type == IntegrationType.Webhook && d.Mapping is null)
            {
                yield return new FieldError($"alerting.integrations[{i}].mapping", "a webhook integration needs a mapping (at least alertname: PATH)");
            }
            if (d.TokenFile is not null && (!File.Exists(d.TokenFile) || File.ReadAllText(d.TokenFile).Trim().Length < 16))
            {
                yield return new FieldError($"alerting.integrations[{i}].token_file", File.Exists(d.TokenFile)
                    ? "the token must be at least 16 characters"
                    : $"no such file: {d.TokenFile}");
            }
        }
    }

    private volatile IReadOnlyDictionary<string, WebhookMapping> mappings = new Dictionary<string, WebhookMapping>();

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        integrations = [.. config.Alerting.Integrations.Select(d => (d.Name!, d.Type, Hash(File.ReadAllText(d.TokenFile!).Trim())))];
        mappings = config.Alerting.Integrations.Where(d => d.Type == IntegrationType.Webhook && d.Mapping is not null).ToDictionary(d => d.Name!, d => d.Mapping!, StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    /// <summary>The field mapping of a webhook integration.</summary>
    public WebhookMapping? MappingOf(string name) => mappings.GetValueOrDefault(name);

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

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or the password of <c>Authorization: Basic</c>.</summary>
    public static string? Bearer(HttpRequest request) => Access.ResolveCaller.TokenOf(request.Headers.Authorization.ToString());

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
