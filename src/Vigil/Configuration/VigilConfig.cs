using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors;

namespace Vigil.Configuration;

/// <summary>The whole of <c>vigil.yaml</c>. Each area adds its section here and its rules to <see cref="ConfigLoader"/>.</summary>
public sealed class VigilConfig
{
    public ServerSettings Server { get; set; } = new();
    public List<ServiceDefinition> Services { get; set; } = [];
    public Features.Metrics.MetricsSettings Metrics { get; set; } = new();
    public MonitoringSettings Monitoring { get; set; } = new();
    public List<MonitorDefinition> Monitors { get; set; } = [];
    public AccessSettings Access { get; set; } = new();
    public Features.Alerting.AlertingSettings Alerting { get; set; } = new();
    public Features.Alerting.Routing.RoutingSettings Routing { get; set; } = new();
    public List<Features.Alerting.Routing.MaintenanceWindowDefinition> MaintenanceWindows { get; set; } = [];
    public List<Features.Notifications.Channels.ChannelDefinition> Channels { get; set; } = [];
    public Features.Notifications.NotificationSettings Notifications { get; set; } = new();
    public List<Features.OnCall.ScheduleDefinition> Schedules { get; set; } = [];
    public List<Features.StatusPage.StatusPageDefinition> StatusPages { get; set; } = [];
    public List<Features.Slos.SloDefinition> Slos { get; set; } = [];
    public List<Features.OnCall.Escalation.EscalationPolicyDefinition> EscalationPolicies { get; set; } = [];
    /// <summary>People and lines outside any rotation that escalation levels can page (<c>{contact: NAME}</c>).</summary>
    public List<Features.OnCall.Escalation.ExternalContactDefinition> Contacts { get; set; } = [];
    public Features.OnCall.Escalation.PagingSettings Paging { get; set; } = new();
    public Features.Incidents.IncidentSettings Incidents { get; set; } = new();
    public Features.Outbound.OutboundSettings Outbound { get; set; } = new();
    public Features.Cluster.ClusterSettings Cluster { get; set; } = new();
    public Features.Runbooks.RunbookSettings Runbooks { get; set; } = new();
    public List<Features.Tasks.TaskDefinition> Tasks { get; set; } = [];
    public List<Features.Backups.BackupPolicyDefinition> BackupPolicies { get; set; } = [];
    public Features.Deployments.DeploymentSettings Deployments { get; set; } = new();
    public List<Features.Documents.DocumentDefinition> Documents { get; set; } = [];
    public Features.Cost.CostSettings Cost { get; set; } = new();
    public Features.Capacity.CapacitySettings Capacity { get; set; } = new();
}

/// <summary>
/// The <c>server:</c> section. These settings are read at start; a reload that changes them is
/// accepted but they take effect at the next start. Command-line flags and <c>VIGIL_DATA</c>,
/// <c>VIGIL_DATABASE</c>, <c>VIGIL_URLS</c> win over them.
/// </summary>
public sealed class ServerSettings
{
    /// <summary>Where to listen, e.g. <c>http://127.0.0.1:8080</c>; several separated by ';'.</summary>
    public string? Listen { get; set; }
    /// <summary>The data directory (SQLite database, metrics, keys).</summary>
    public string? Data { get; set; }
    /// <summary>Empty for SQLite in the data directory, or <c>postgres://user:pass@host:5432/vigil</c>.</summary>
    public string? Database { get; set; }
    /// <summary>How long a graceful shutdown (SIGTERM, Ctrl-C) may take before work in flight is abandoned.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Vigil's address as people reach it (e.g. behind a proxy: <c>https://vigil.example.com</c>), the
    /// base of every link in notifications, pages and incident updates; default the first listen address.
    /// </summary>
    public string? ExternalUrl { get; set; }
    /// <summary>A certificate for HTTPS listen addresses (TLS 1.2 and 1.3 only).</summary>
    public TlsSettings? Tls { get; set; }
    /// <summary>Behind a load balancer: the proxies whose forwarded headers name the client (docs/ha.md).</summary>
    public Features.Server.ForwardedHeadersSettings? ForwardedHeaders { get; set; }
}

/// <summary>
/// <c>server.tls</c>: a PEM certificate with its PEM key, or a PFX (PKCS#12) file with its password.
/// Used by every <c>https://</c> address in <c>server.listen</c>.
/// </summary>
public sealed class TlsSettings
{
    /// <summary>A <c>.pem</c>/<c>.crt</c> certificate (chain) or a <c>.pfx</c>/<c>.p12</c> file.</summary>
    public string? Certificate { get; set; }
    /// <summary>The PEM private key, when the certificate is PEM.</summary>
    public string? Key { get; set; }
    /// <summary>The PFX password, or the PEM key's password if it is encrypted.</summary>
    public string? Password { get; set; }
}
