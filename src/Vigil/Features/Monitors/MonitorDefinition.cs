using Vigil.Configuration;

namespace Vigil.Features.Monitors;

/// <summary>The kinds of check Vigil runs; each has one <see cref="Probes.IMonitorProbe"/>.</summary>
public enum MonitorType
{
    Http,
    Tcp,
    Dns,
    Tls,
    Heartbeat,
    DependencyHealth,
    MultiStep,
    Websocket,
    Icmp,
}

/// <summary>What a service is in when this monitor is down (see <c>docs/monitors.md</c>, "Service health").</summary>
public enum MonitorImpact
{
    Degraded,
    PartialOutage,
    MajorOutage,
}

/// <summary>
/// A monitor as written in <c>vigil.yaml</c> under <c>monitors:</c> and as sent to
/// <c>POST /api/monitors</c>: the same snake_case keys in both, validated by <see cref="MonitorRules"/>.
/// Keys that do not apply to the type are ignored.
/// </summary>
public sealed class MonitorDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    [ConfigRequired]
    public MonitorType? Type { get; set; }
    /// <summary>The catalog service this monitor checks (required; <see cref="MonitorRules"/> says so, so that <c>vigil monitor test</c> can go without).</summary>
    public string? Service { get; set; }
    /// <summary>One of the service's environments, when the monitor checks one.</summary>
    public string? Environment { get; set; }
    public string? Description { get; set; }
    /// <summary>How often to check; at least 1 s. Default 60 s.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Interval { get; set; }
    /// <summary>How long one check may take in all (connect, TLS, headers, body). Default 10 s.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Timeout { get; set; }
    /// <summary>Failed checks in a row that do not yet count as down (flap suppression). Default 0.</summary>
    public int? Retries { get; set; }
    /// <summary>The <c>severity</c> label of this monitor's MonitorDown or HeartbeatMissed alert; default that of <c>alerting.monitor_rules</c>.</summary>
    public string? Severity { get; set; }
    /// <summary>What the service is in while this monitor is down; default partial outage (major when all its monitors are down).</summary>
    public MonitorImpact? Impact { get; set; }
    public bool? Paused { get; set; }

    // http, dependency_health, websocket
    public string? Url { get; set; }
    public string? Method { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public string? Body { get; set; }
    /// <summary>Status codes that count as up; default any 2xx.</summary>
    [ConfigSingleOrList, System.Text.Json.Serialization.JsonConverter(typeof(SingleOrListJsonConverter<int>))]
    public List<int>? ExpectedStatus { get; set; }
    public List<ConditionDefinition>? Conditions { get; set; }
    /// <summary>
    /// Numbers of a JSON answer kept as samples, name to path (<c>memory_used: memory.used</c>):
    /// <c>vigil_monitor_json_value{field="memory_used"}</c>, for charts, rules and SLOs (http only).
    /// </summary>
    public Dictionary<string, string>? JsonSamples { get; set; }
    /// <summary>A response slower than this counts as degraded.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? DegradedAfter { get; set; }
    public bool? FollowRedirects { get; set; }
    public bool? VerifyTls { get; set; }

    // tcp, tls, icmp, dns (the name server)
    public string? Host { get; set; }
    public int? Port { get; set; }

    // dns
    /// <summary>The name to resolve.</summary>
    public string? Query { get; set; }
    public DnsRecordType? RecordType { get; set; }
    /// <summary>Values that must all be among the answers (addresses, names, text).</summary>
    public List<string>? Expected { get; set; }

    // tls
    public int? WarningDays { get; set; }
    public int? CriticalDays { get; set; }
    /// <summary>"1.2" or "1.3": the oldest protocol the server must accept (and the only ones offered).</summary>
    public string? MinTlsVersion { get; set; }

    // heartbeat
    /// <summary>The secret in <c>/ping/{token}</c>; generated when not given.</summary>
    public string? Token { get; set; }
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Period { get; set; }
    /// <summary>A cron expression (5 fields, UTC) instead of a period.</summary>
    public string? Cron { get; set; }
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Grace { get; set; }
    /// <summary>A job that started and has not succeeded within this time is down (slow job).</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? MaxDuration { get; set; }

    // dependency_health
    /// <summary>Component paths (<c>database</c>, <c>external_apis.shopify</c>) and what their being down means; unlisted known components are still read.</summary>
    public Dictionary<string, MonitorImpact>? Components { get; set; }

    // multi_step
    public List<StepDefinition>? Steps { get; set; }

    // websocket
    public string? Send { get; set; }
    /// <summary>Text the reply must contain.</summary>
    public string? Expect { get; set; }
}

/// <summary>One check on an HTTP response; give exactly one kind.</summary>
public sealed class ConditionDefinition
{
    public string? BodyContains { get; set; }
    public string? BodyNotContains { get; set; }
    public string? BodyRegex { get; set; }
    /// <summary>A dotted path into the JSON body (<c>data.items[0].id</c>), compared with <see cref="JsonEquals"/>.</summary>
    public string? JsonPath { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("equals")]
    public string? JsonEquals { get; set; }
    /// <summary>The number at <see cref="JsonPath"/> must be below this: a number, a path, or <c>0.8 * memory.total</c>.</summary>
    public string? LessThan { get; set; }
    /// <summary>The number at <see cref="JsonPath"/> must be above this (as <see cref="LessThan"/>).</summary>
    public string? GreaterThan { get; set; }
    /// <summary>The number at <see cref="JsonPath"/> must be within [low, high].</summary>
    public List<double>? Between { get; set; }
    public string? HeaderPresent { get; set; }
}

/// <summary>One request of a multi-step check; <c>${name}</c> in url, headers and body is replaced by earlier extracted values.</summary>
public sealed class StepDefinition
{
    public string? Name { get; set; }
    [ConfigRequired]
    public string? Url { get; set; }
    public string? Method { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public string? Body { get; set; }
    [ConfigSingleOrList, System.Text.Json.Serialization.JsonConverter(typeof(SingleOrListJsonConverter<int>))]
    public List<int>? ExpectedStatus { get; set; }
    public List<ConditionDefinition>? Conditions { get; set; }
    /// <summary>Values to extract: name to <c>json:PATH</c> or <c>header:NAME</c>.</summary>
    public Dictionary<string, string>? Extract { get; set; }
}

public enum DnsRecordType
{
    A,
    Aaaa,
    Cname,
    Mx,
    Txt,
    Ns,
}
