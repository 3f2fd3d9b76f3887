using Vigil.Configuration;
using Vigil.Metrics;
using Vigil.Metrics.Scrape;

namespace Vigil.Features.Metrics;

/// <summary>The <c>metrics:</c> section of vigil.yaml. Scrape jobs use Prometheus's key names, so blocks from prometheus.yml paste in.</summary>
public sealed class MetricsSettings
{
    /// <summary>How long samples are kept (Prometheus's <c>--storage.tsdb.retention.time</c>). Read at start.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(15);
    /// <summary>Most MiB the store may use on disk (blocks and WAL); 0 for no limit. Read at start.</summary>
    public long RetentionSizeMb { get; set; }
    /// <summary>How far back a series may receive samples older than its newest one (Prometheus's <c>out_of_order_time_window</c>). Read at start.</summary>
    public TimeSpan OutOfOrderWindow { get; set; } = TimeSpan.Zero;
    /// <summary>Most samples one query may hold in memory (Prometheus's <c>--query.max-samples</c>). Read at start.</summary>
    public int QueryMaxSamples { get; set; } = 50_000_000;
    /// <summary>Longest a query may run (Prometheus's <c>--query.timeout</c>); the API's <c>timeout</c> may ask for less. Read at start.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan ScrapeTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public List<ScrapeJobSettings> ScrapeConfigs { get; set; } = [];
    /// <summary>Endpoints every ingested sample is forwarded to (Prometheus's <c>remote_write</c>). Read at start.</summary>
    public List<RemoteWriteSettings> RemoteWrite { get; set; } = [];
    /// <summary>A Prometheus-compatible query API (its base URL, e.g. <c>http://vm:8428</c>) used instead of the embedded engine. Read at start.</summary>
    public string? QueryUrl { get; set; }
    public Dictionary<string, string> QueryHeaders { get; set; } = [];
    public AuthorizationSettings? QueryAuthorization { get; set; }
    public BasicAuthSettings? QueryBasicAuth { get; set; }
}

/// <summary>One <c>metrics.remote_write</c> entry, with Prometheus's keys.</summary>
public sealed class RemoteWriteSettings
{
    [ConfigRequired]
    public string? Url { get; set; }
    public string? Name { get; set; }
    public TimeSpan? RemoteTimeout { get; set; }
    public Dictionary<string, string> Headers { get; set; } = [];
    public AuthorizationSettings? Authorization { get; set; }
    public BasicAuthSettings? BasicAuth { get; set; }
    public List<RelabelSettings> WriteRelabelConfigs { get; set; } = [];
    public QueueSettings? QueueConfig { get; set; }
}

/// <summary>Prometheus's <c>queue_config</c>; unset keys take Prometheus 2.42's defaults.</summary>
public sealed class QueueSettings
{
    public int? Capacity { get; set; }
    public int? MaxShards { get; set; }
    public int? MinShards { get; set; }
    public int? MaxSamplesPerSend { get; set; }
    public TimeSpan? BatchSendDeadline { get; set; }
    public TimeSpan? MinBackoff { get; set; }
    public TimeSpan? MaxBackoff { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("retry_on_http_429")]
    public bool? RetryOnHttp429 { get; set; }
}

public sealed class ScrapeJobSettings
{
    [ConfigRequired]
    public string? JobName { get; set; }
    public TimeSpan? ScrapeInterval { get; set; }
    public TimeSpan? ScrapeTimeout { get; set; }
    public string? MetricsPath { get; set; }
    public string? Scheme { get; set; }
    public bool? HonorLabels { get; set; }
    public bool? HonorTimestamps { get; set; }
    public AuthorizationSettings? Authorization { get; set; }
    public BasicAuthSettings? BasicAuth { get; set; }
    public List<StaticConfigSettings> StaticConfigs { get; set; } = [];
    public List<RelabelSettings> RelabelConfigs { get; set; } = [];
    public List<RelabelSettings> MetricRelabelConfigs { get; set; } = [];
}

/// <summary>Prometheus's <c>authorization</c> block: sends <c>Authorization: TYPE CREDENTIALS</c>.</summary>
public sealed class AuthorizationSettings
{
    public string? Type { get; set; }
    public string? Credentials { get; set; }
    public string? CredentialsFile { get; set; }
}

/// <summary>Prometheus's <c>basic_auth</c> block.</summary>
public sealed class BasicAuthSettings
{
    [ConfigRequired]
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? PasswordFile { get; set; }
}

public sealed class StaticConfigSettings
{
    public List<string> Targets { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];
}

public sealed class RelabelSettings
{
    public List<string>? SourceLabels { get; set; }
    public string? Separator { get; set; }
    public string? TargetLabel { get; set; }
    public string? Regex { get; set; }
    public long? Modulus { get; set; }
    public string? Replacement { get; set; }
    /// <summary>replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase, keepequal, dropequal.</summary>
    public string? Action { get; set; }
}

/// <summary>Turns <c>metrics.scrape_configs</c> into the engine's scrape configurations, and says what is wrong with them.</summary>
public static class ScrapeSettingsRules
{
    /// <summary>The static scrape targets (<c>host:port</c>), for the outbound policy.</summary>
    public static IEnumerable<(string Path, string Value, bool IsUrl)> Destinations(MetricsSettings settings)
    {
        for (var i = 0; i < settings.ScrapeConfigs.Count; i++)
        {
            var statics = settings.ScrapeConfigs[i].StaticConfigs;
            for (var j = 0; j < statics.Count; j++)
            {
                for (var k = 0; k < statics[j].Targets.Count; k++)
                {
                    yield return ($"metrics.scrape_configs[{i}].static_configs[{j}].targets[{k}]", statics[j].Targets[k], false);
                }
            }
        }
    }

    private static readonly Dictionary<string, RelabelAction> Actions = Enum.GetValues<RelabelAction>()
        .ToDictionary(a => a.ToString().ToLowerInvariant(), a => a, StringComparer.Ordinal);

    public static IEnumerable<FieldError> Validate(MetricsSettings settings)
    {
        foreach (var error in ValidateRemote(settings))
        {
            yield return error;
        }
        if (settings.QueryMaxSamples < 1)
        {
            yield return new FieldError("metrics.query_max_samples", "must be at least 1");
        }
        if (settings.QueryTimeout <= TimeSpan.Zero)
        {
            yield return new FieldError("metrics.query_timeout", "must be more than 0s");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.ScrapeConfigs.Count; i++)
        {
            var job = settings.ScrapeConfigs[i];
            var at = $"metrics.scrape_configs[{i}].";
            if (job.JobName is not null && !names.Add(job.JobName))
            {
                yield return new FieldError($"{at}job_name", $"duplicate job name \"{job.JobName}\"");
            }
            else if (job.JobName == ApplyScrapeTargets.CatalogJob)
            {
                yield return new FieldError($"{at}job_name", $"\"{ApplyScrapeTargets.CatalogJob}\" is the job of the service catalog's metrics endpoints (services[].environments[].metrics); choose another name");
            }
            var interval = job.ScrapeInterval ?? settings.ScrapeInterval;
            if (interval < TimeSpan.FromSeconds(1))
            {
                yield return new FieldError($"{at}scrape_interval", "must be at least 1s");
            }
            if ((job.ScrapeTimeout ?? settings.ScrapeTimeout) > interval)
            {
                yield return new FieldError($"{at}scrape_timeout", $"must not be greater than the scrape interval ({Duration.Format(interval)})");
            }
            foreach (var error in ValidateHttpClient(at, "", job.Authorization, job.BasicAuth))
            {
                yield return error;
            }
            if (job.Scheme is not (null or "http" or "https"))
            {
                yield return new FieldError($"{at}scheme", "must be http or https");
            }
            for (var g = 0; g < job.StaticConfigs.Count; g++)
            {
                for (var t = 0; t < job.StaticConfigs[g].Targets.Count; t++)
                {
                    var target = job.StaticConfigs[g].Targets[t];
                    if (!Uri.TryCreate("http://" + target, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.PathAndQuery != "/")
                    {
                        yield return new FieldError($"{at}static_configs[{g}].targets[{t}]", $"\"{target}\" is not host:port");
                    }
                }
            }
            foreach (var (list, key) in new[] { (job.RelabelConfigs, "relabel_configs"), (job.MetricRelabelConfigs, "metric_relabel_configs") })
            {
                for (var r = 0; r < list.Count; r++)
                {
                    foreach (var error in ValidateRelabel(list[r], $"{at}{key}[{r}]."))
                    {
                        yield return error;
                    }
                }
            }
        }
    }

    /// <summary>Prometheus's HTTP client config rules (common/config/http_config.go Validate).</summary>
    private static IEnumerable<FieldError> ValidateHttpClient(string at, string prefix, AuthorizationSettings? authorizationSettings, BasicAuthSettings? basicAuth)
    {
        if (authorizationSettings is not null && basicAuth is not null)
        {
            yield return new FieldError($"{at}{prefix}authorization", "at most one of basic_auth and authorization may be configured");
        }
        if (authorizationSettings is { } authorization)
        {
            if (string.Equals(authorization.Type, "basic", StringComparison.OrdinalIgnoreCase))
            {
                yield return new FieldError($"{at}{prefix}authorization.type", "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
            }
            if (authorization.Credentials is not null && authorization.CredentialsFile is not null)
            {
                yield return new FieldError($"{at}{prefix}authorization.credentials", "at most one of authorization credentials and credentials_file must be configured");
            }
        }
        if (basicAuth is { Password: not null, PasswordFile: not null })
        {
            yield return new FieldError($"{at}{prefix}basic_auth.password", "at most one of basic_auth password and password_file must be configured");
        }
    }

    private static IEnumerable<FieldError> ValidateRemote(MetricsSettings settings)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.RemoteWrite.Count; i++)
        {
            var rw = settings.RemoteWrite[i];
            var at = $"metrics.remote_write[{i}].";
            if (rw.Url is not null && !IsHttpUrl(rw.Url))
            {
                yield return new FieldError($"{at}url", $"\"{rw.Url}\" is not an http or https URL");
            }
            if (rw.Name is not null && !RemoteWriteNames.IsValid(rw.Name))
            {
                yield return new FieldError($"{at}name", "may only contain letters, digits, '_' and '-'");
            }
            if (rw.Url is not null && !names.Add(RemoteWriteNames.Of(rw)))
            {
                // Prometheus: "found multiple remote write configs with job name" / duplicate hash.
                yield return new FieldError(rw.Name is null ? $"{at}url" : $"{at}name", $"duplicate remote write queue \"{RemoteWriteNames.Of(rw)}\"");
            }
            if (rw.RemoteTimeout is { } timeout && timeout <= TimeSpan.Zero)
            {
                yield return new FieldError($"{at}remote_timeout", "must be more than 0s");
            }
            foreach (var error in ValidateHttpClient(at, "", rw.Authorization, rw.BasicAuth))
            {
                yield return error;
            }
            for (var r = 0; r < rw.WriteRelabelConfigs.Count; r++)
            {
                foreach (var error in ValidateRelabel(rw.WriteRelabelConfigs[r], $"{at}write_relabel_configs[{r}]."))
                {
                    yield return error;
                }
            }
            if (rw.QueueConfig is { } q)
            {
                foreach (var (value, key) in new[] { (q.Capacity, "capacity"), (q.MaxShards, "max_shards"), (q.MinShards, "min_shards"), (q.MaxSamplesPerSend, "max_samples_per_send") })
                {
                    if (value is < 1)
                    {
                        yield return new FieldError($"{at}queue_config.{key}", "must be at least 1");
                    }
                }
                if ((q.MinShards ?? 1) > (q.MaxShards ?? 200))
                {
                    yield return new FieldError($"{at}queue_config.min_shards", "must not be greater than max_shards");
                }
                if ((q.MinBackoff ?? TimeSpan.FromMilliseconds(30)) > (q.MaxBackoff ?? TimeSpan.FromSeconds(5)))
                {
                    yield return new FieldError($"{at}queue_config.min_backoff", "must not be greater than max_backoff");
                }
                if (q.MinBackoff is { } minBackoff && minBackoff <= TimeSpan.Zero)
                {
                    yield return new FieldError($"{at}queue_config.min_backoff", "must be more than 0s");
                }
            }
        }
        if (settings.QueryUrl is { } queryUrl && !IsHttpUrl(queryUrl))
        {
            yield return new FieldError("metrics.query_url", $"\"{queryUrl}\" is not an http or https URL");
        }
        foreach (var error in ValidateHttpClient("metrics.", "query_", settings.QueryAuthorization, settings.QueryBasicAuth))
        {
            yield return error;
        }
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    /// <summary>The remote-write queues of a validated section.</summary>
    public static IReadOnlyList<Vigil.Metrics.RemoteWrite.Forwarding.RemoteWriteQueueOptions> ToRemoteWrite(MetricsSettings settings) =>
        [.. settings.RemoteWrite.Select(rw =>
        {
            var q = rw.QueueConfig ?? new QueueSettings();
            var defaults = new Vigil.Metrics.RemoteWrite.Forwarding.RemoteWriteQueueOptions { Name = "", Url = new Uri("http://127.0.0.1/") };
            var credentials = Credentials(rw.Authorization, rw.BasicAuth);
            return new Vigil.Metrics.RemoteWrite.Forwarding.RemoteWriteQueueOptions
            {
                Name = RemoteWriteNames.Of(rw),
                Url = new Uri(rw.Url!),
                RemoteTimeout = rw.RemoteTimeout ?? defaults.RemoteTimeout,
                Headers = rw.Headers,
                Authorization = () => credentials?.HeaderValue(),
                WriteRelabelConfigs = [.. rw.WriteRelabelConfigs.Select(ToRelabel)],
                Capacity = q.Capacity ?? defaults.Capacity,
                MaxShards = q.MaxShards ?? defaults.MaxShards,
                MinShards = q.MinShards ?? defaults.MinShards,
                MaxSamplesPerSend = q.MaxSamplesPerSend ?? defaults.MaxSamplesPerSend,
                BatchSendDeadline = q.BatchSendDeadline ?? defaults.BatchSendDeadline,
                MinBackoff = q.MinBackoff ?? defaults.MinBackoff,
                MaxBackoff = q.MaxBackoff ?? defaults.MaxBackoff,
                RetryOnHttp429 = q.RetryOnHttp429 ?? defaults.RetryOnHttp429,
            };
        })];

    /// <summary>The credentials of an <c>authorization</c> or <c>basic_auth</c> block, as scrape jobs use them.</summary>
    public static ScrapeCredentials? Credentials(AuthorizationSettings? authorization, BasicAuthSettings? basicAuth) => (authorization, basicAuth) switch
    {
        ({ } a, _) => new ScrapeCredentials(string.IsNullOrEmpty(a.Type) ? "Bearer" : a.Type, a.Credentials, a.CredentialsFile),
        (_, { } b) => new ScrapeCredentials("Basic", b.Password, b.PasswordFile, b.Username),
        _ => null,
    };

    private static IEnumerable<FieldError> ValidateRelabel(RelabelSettings r, string at)
    {
        if (r.Action is not null && !Actions.ContainsKey(r.Action))
        {
            yield return new FieldError($"{at}action", $"unknown relabel action \"{r.Action}\" (expected one of: {string.Join(", ", Actions.Keys)})");
            yield break;
        }
        RelabelConfig? config = null;
        string? regexError = null;
        try
        {
            config = ToRelabel(r);
        }
        catch (ArgumentException e)
        {
            regexError = e.Message;
        }
        if (regexError is not null)
        {
            yield return new FieldError($"{at}regex", $"invalid regular expression: {regexError}");
            yield break;
        }
        foreach (var message in config!.Validate())
        {
            yield return new FieldError(at.TrimEnd('.'), message);
        }
    }

    private static RelabelConfig ToRelabel(RelabelSettings r)
    {
        var defaults = new RelabelConfig();
        return new RelabelConfig
        {
            SourceLabels = r.SourceLabels ?? [],
            Separator = r.Separator ?? defaults.Separator,
            TargetLabel = r.TargetLabel ?? "",
            Regex = r.Regex ?? defaults.Regex,
            Modulus = (ulong)(r.Modulus ?? 0),
            Replacement = r.Replacement ?? defaults.Replacement,
            Action = r.Action is null ? RelabelAction.Replace : Actions[r.Action],
        };
    }

    /// <summary>The engine's scrape configurations for a validated section.</summary>
    public static IReadOnlyList<ScrapeConfig> ToScrapeConfigs(MetricsSettings settings) =>
        [.. settings.ScrapeConfigs.Select(job => new ScrapeConfig
        {
            JobName = job.JobName!,
            Interval = job.ScrapeInterval ?? settings.ScrapeInterval,
            Timeout = job.ScrapeTimeout ?? settings.ScrapeTimeout,
            Scheme = job.Scheme ?? "http",
            MetricsPath = job.MetricsPath ?? "/metrics",
            HonorLabels = job.HonorLabels ?? false,
            HonorTimestamps = job.HonorTimestamps ?? true,
            Credentials = job switch
            {
                { Authorization: { } a } => new ScrapeCredentials(string.IsNullOrEmpty(a.Type) ? "Bearer" : a.Type, a.Credentials, a.CredentialsFile),
                { BasicAuth: { } b } => new ScrapeCredentials("Basic", b.Password, b.PasswordFile, b.Username),
                _ => null,
            },
            StaticConfigs = [.. job.StaticConfigs.Select(g => new StaticTargetGroup(g.Targets, Labels.From(g.Labels.Select(kv => new Label(kv.Key, kv.Value)))))],
            RelabelConfigs = [.. job.RelabelConfigs.Select(ToRelabel)],
            MetricRelabelConfigs = [.. job.MetricRelabelConfigs.Select(ToRelabel)],
        })];
}

/// <summary>The name of a remote-write queue: its <c>name</c>, or (as Prometheus does) the first 6 hex digits of a hash of its URL.</summary>
public static class RemoteWriteNames
{
    public static bool IsValid(string name) => name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    public static string Of(RemoteWriteSettings settings) =>
        settings.Name ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(settings.Url ?? "")))[..6];
}
