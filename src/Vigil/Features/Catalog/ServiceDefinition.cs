using Vigil.Configuration;

namespace Vigil.Features.Catalog;

/// <summary>
/// A service as written in <c>vigil.yaml</c> under <c>services:</c> and as sent to
/// <c>POST /api/services</c>: the same keys in both (snake_case), validated by the same rules.
/// </summary>
public sealed class ServiceDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>1 (most critical) to 4.</summary>
    public int? Tier { get; set; }
    /// <summary>The owning team.</summary>
    public string? Owner { get; set; }
    public ServiceLinks? Links { get; set; }
    public List<string>? Tags { get; set; }
    public List<ContactDefinition>? Contacts { get; set; }
    public List<EnvironmentDefinition>? Environments { get; set; }
    public List<DependencyDefinition>? Dependencies { get; set; }
}

public sealed class ServiceLinks
{
    public string? Repository { get; set; }
    public string? Dashboard { get; set; }
    public string? Runbook { get; set; }
}

public sealed class ContactDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Role { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
}

public sealed class EnvironmentDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Url { get; set; }
    /// <summary>Where the environment exposes Prometheus metrics; Vigil scrapes it in the job <c>catalog</c>.</summary>
    public MetricsEndpointDefinition? Metrics { get; set; }
}

/// <summary><c>metrics: {target: host:port, path: /metrics, scheme: http, interval: 30s}</c> of an environment.</summary>
public sealed class MetricsEndpointDefinition
{
    [ConfigRequired]
    public string? Target { get; set; }
    public string? Path { get; set; }
    public string? Scheme { get; set; }
    /// <summary>Defaults to <c>metrics.scrape_interval</c>.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Interval { get; set; }
}

/// <summary>Either <c>service: NAME</c> (a catalog service) or <c>external: NAME</c> with a <c>kind</c>.</summary>
public sealed class DependencyDefinition
{
    public string? Service { get; set; }
    public string? External { get; set; }
    public DependencyKind? Kind { get; set; }
    public bool? Critical { get; set; }
    public string? Description { get; set; }
}
