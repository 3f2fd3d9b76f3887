namespace Vigil.Features.Access;

/// <summary>The <c>access:</c> section of <c>vigil.yaml</c>. Read on every request, so a reload applies at once.</summary>
public sealed class AccessSettings
{
    /// <summary>How long a console session lasts without activity (sliding: each request renews it).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(8);
    /// <summary>Roles whose users must enrol TOTP before they can use the console (the seeds' SOC 2 control).</summary>
    public List<string> MfaRequiredRoles { get; set; } = [];
    public LockoutSettings Lockout { get; set; } = new();
    public RateLimitSettings RateLimits { get; set; } = new();
    public AuditSettings Audit { get; set; } = new();
}

/// <summary>After <see cref="Failures"/> failed sign-ins within <see cref="Window"/>, the account is locked for <see cref="Duration"/>.</summary>
public sealed class LockoutSettings
{
    public int Failures { get; set; } = 5;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Requests per client (token, else user, else IP address) per minute.</summary>
public sealed class RateLimitSettings
{
    public int Api { get; set; } = 100;
    public int Auth { get; set; } = 20;
    public int Health { get; set; } = 600;
    /// <summary>The Prometheus-compatible API: remote-write ingest and PromQL queries.</summary>
    public int Metrics { get; set; } = 6000;
}

public sealed class AuditSettings
{
    /// <summary>Entries older than this are appended to the archive in the data directory, then deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);
}
