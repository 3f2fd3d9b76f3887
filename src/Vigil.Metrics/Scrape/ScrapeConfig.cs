namespace Vigil.Metrics.Scrape;

/// <summary>
/// One scrape job, as a <c>scrape_configs</c> entry of Prometheus: how often and how to scrape
/// its targets and how to relabel targets and samples.
/// </summary>
public sealed record ScrapeConfig
{
    /// <summary>The job name, written to every series as <c>job</c> unless relabelled.</summary>
    public required string JobName { get; init; }

    /// <summary>How often each target is scraped; Prometheus's default is one minute.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a scrape may take; Prometheus's default is ten seconds (and never more than the interval).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>The HTTP path of the metrics.</summary>
    public string MetricsPath { get; init; } = "/metrics";

    /// <summary>When true, labels exposed by the target win over target labels; when false, exposed ones are renamed <c>exported_*</c>.</summary>
    public bool HonorLabels { get; init; }

    /// <summary>When true, exposed timestamps are kept; when false, every sample gets the scrape time.</summary>
    public bool HonorTimestamps { get; init; } = true;

    /// <summary>The largest uncompressed body accepted; a larger one fails the scrape. Default 64 MiB.</summary>
    public long BodySizeLimitBytes { get; init; } = 64L << 20;

    /// <summary>
    /// What the scrape request authenticates with (<c>authorization</c> or <c>basic_auth</c>), or null.
    /// </summary>
    public ScrapeCredentials? Credentials { get; init; }

    /// <summary>The targets and their labels (<c>static_configs</c>).</summary>
    public IReadOnlyList<StaticTargetGroup> StaticConfigs { get; init; } = [];

    /// <summary>Steps applied to each target's labels before scraping (<c>relabel_configs</c>).</summary>
    public IReadOnlyList<RelabelConfig> RelabelConfigs { get; init; } = [];

    /// <summary>Steps applied to each scraped sample's labels before appending (<c>metric_relabel_configs</c>).</summary>
    public IReadOnlyList<RelabelConfig> MetricRelabelConfigs { get; init; } = [];

    /// <summary>The problems Prometheus would report when loading this job; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(JobName))
        {
            errors.Add("job_name is empty");
        }
        if (Interval <= TimeSpan.Zero)
        {
            errors.Add($"job {JobName}: scrape_interval must be positive");
        }
        if (Timeout <= TimeSpan.Zero || Timeout > Interval)
        {
            errors.Add($"job {JobName}: scrape timeout {ScrapeTarget.GoDuration(Timeout)} must be positive and not greater than scrape interval {ScrapeTarget.GoDuration(Interval)}");
        }
        errors.AddRange(RelabelConfigs.SelectMany((r, i) => r.Validate().Select(e => $"job {JobName}: relabel_configs[{i}]: {e}")));
        errors.AddRange(MetricRelabelConfigs.SelectMany((r, i) => r.Validate().Select(e => $"job {JobName}: metric_relabel_configs[{i}]: {e}")));
        return errors;
    }
}

/// <summary>A <c>static_configs</c> entry: addresses (<c>host:port</c>) that share labels.</summary>
/// <param name="Targets">Addresses such as <c>127.0.0.1:9100</c>.</param>
/// <param name="Labels">Labels added to each of these targets.</param>
public sealed record StaticTargetGroup(IReadOnlyList<string> Targets, Labels Labels);

/// <summary>
/// The <c>Authorization</c> header of a scrape, as Prometheus's HTTP client config sets it:
/// <c>authorization: {type, credentials | credentials_file}</c> sends <c>TYPE credentials</c>;
/// <c>basic_auth: {username, password | password_file}</c> sends <c>Basic base64(user:password)</c>.
/// A file is read again on every scrape, so a rotated secret is used without a reload.
/// </summary>
/// <param name="Type">The scheme: <c>Bearer</c> by default, <c>Basic</c> for basic_auth.</param>
/// <param name="Secret">The credentials (or, for basic auth, the password), or null to read <paramref name="SecretFile"/>.</param>
/// <param name="SecretFile">The file holding the secret, or null.</param>
/// <param name="Username">The basic-auth username; null for other types.</param>
public sealed record ScrapeCredentials(string Type, string? Secret, string? SecretFile, string? Username = null)
{
    /// <summary>The header value to send now; reads <see cref="SecretFile"/> when set.</summary>
    public string HeaderValue()
    {
        var secret = SecretFile is null ? Secret ?? "" : File.ReadAllText(SecretFile).Trim();
        return Username is null
            ? $"{Type} {secret}"
            : "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Username}:{secret}"));
    }
}
