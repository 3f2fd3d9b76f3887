using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Features.Alerting.AlertmanagerApi;

/// <summary>
/// The JSON of Alertmanager 0.25's API v2 (<c>api/v2/openapi.yaml</c>): camelCase keys
/// (<c>generatorURL</c>, <c>silenceID</c>), RFC 3339 times in UTC. Unknown keys in a request are
/// ignored, as go-swagger's server does.
/// </summary>
public static class AlertmanagerJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A time as Alertmanager writes it: UTC with a <c>Z</c>.</summary>
    public static DateTime Utc(DateTimeOffset time) => time.UtcDateTime;
}

/// <summary><c>gettableAlert</c>.</summary>
public sealed record GettableAlert(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTime StartsAt,
    DateTime EndsAt,
    DateTime UpdatedAt,
    [property: JsonPropertyName("generatorURL")] string GeneratorUrl,
    string Fingerprint,
    IReadOnlyList<ReceiverName> Receivers,
    AlertStatus Status);

/// <summary><c>receiver</c>.</summary>
public sealed record ReceiverName(string Name);

/// <summary><c>alertStatus</c>: <c>state</c> is unprocessed, active or suppressed.</summary>
public sealed record AlertStatus(string State, IReadOnlyList<string> SilencedBy, IReadOnlyList<string> InhibitedBy);

/// <summary><c>matcher</c>.</summary>
public sealed record AmMatcher(string Name, string Value, bool IsRegex, bool? IsEqual);

/// <summary><c>gettableSilence</c>.</summary>
public sealed record GettableSilence(
    string Id, SilenceStatus Status, DateTime UpdatedAt, IReadOnlyList<AmMatcher> Matchers, DateTime StartsAt, DateTime EndsAt, string CreatedBy, string Comment);

/// <summary><c>silenceStatus</c>: expired, active or pending.</summary>
public sealed record SilenceStatus(string State);

/// <summary><c>postableSilence</c>; an <c>id</c> names the silence to replace.</summary>
public sealed record PostableSilence(string? Id, IReadOnlyList<AmMatcher>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? CreatedBy, string? Comment);

/// <summary>The answer to <c>POST /api/v2/silences</c>.</summary>
public sealed record PostedSilence([property: JsonPropertyName("silenceID")] string SilenceId);

/// <summary><c>alertmanagerStatus</c>.</summary>
public sealed record AlertmanagerStatus(ClusterStatus Cluster, VersionInfo VersionInfo, AlertmanagerConfig Config, DateTime Uptime);

/// <summary><c>clusterStatus</c>: a single Vigil is never clustered (<c>disabled</c>, no peers).</summary>
public sealed record ClusterStatus(string Status, IReadOnlyList<object> Peers);

/// <summary><c>versionInfo</c>.</summary>
public sealed record VersionInfo(string Branch, string BuildDate, string BuildUser, string GoVersion, string Revision, string Version);

/// <summary><c>alertmanagerConfig</c>: the configuration as Alertmanager YAML.</summary>
public sealed record AlertmanagerConfig(string Original);
