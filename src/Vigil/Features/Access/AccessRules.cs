using Vigil.Configuration;

namespace Vigil.Features.Access;

/// <summary>Validation of the <c>access:</c> section, with messages that say what to write instead.</summary>
public static class AccessRules
{
    public static IEnumerable<FieldError> Validate(AccessSettings access, string prefix)
    {
        if (access.SessionTimeout < TimeSpan.FromMinutes(1))
        {
            yield return new FieldError($"{prefix}session_timeout", "must be at least 1m");
        }
        for (var i = 0; i < access.MfaRequiredRoles.Count; i++)
        {
            if (!Role.IsKnown(access.MfaRequiredRoles[i]))
            {
                yield return new FieldError($"{prefix}mfa_required_roles[{i}]", $"unknown role \"{access.MfaRequiredRoles[i]}\"; the roles are {string.Join(", ", Role.All)}");
            }
        }
        if (access.Lockout.Failures < 1)
        {
            yield return new FieldError($"{prefix}lockout.failures", "must be at least 1");
        }
        if (access.Lockout.Window <= TimeSpan.Zero)
        {
            yield return new FieldError($"{prefix}lockout.window", "must be longer than 0s");
        }
        if (access.Lockout.Duration <= TimeSpan.Zero)
        {
            yield return new FieldError($"{prefix}lockout.duration", "must be longer than 0s");
        }
        foreach (var (key, value) in new[] { ("api", access.RateLimits.Api), ("auth", access.RateLimits.Auth), ("health", access.RateLimits.Health), ("metrics", access.RateLimits.Metrics) })
        {
            if (value < 1)
            {
                yield return new FieldError($"{prefix}rate_limits.{key}", "must be at least 1 request per minute");
            }
        }
        if (access.Audit.Retention < TimeSpan.FromDays(1))
        {
            yield return new FieldError($"{prefix}audit.retention", "must be at least 1d");
        }
    }
}
