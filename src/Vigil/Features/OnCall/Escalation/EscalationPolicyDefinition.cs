using Vigil.Configuration;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// One entry of <c>escalation_policies:</c> in <c>vigil.yaml</c>, and the body of
/// <c>POST /api/escalation-policies</c>: who is paged first, and who next when nobody acknowledges.
/// </summary>
public sealed class EscalationPolicyDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>In order: level 1 is paged at once, each next level when the previous level's delay passed without an acknowledgement.</summary>
    public List<EscalationLevelDefinition>? Levels { get; set; }
    /// <summary>How many more times to go through all levels when the last one's delay passed unanswered (default 0).</summary>
    public int Repeat { get; set; }
    /// <summary><c>acknowledged</c> (default): an acknowledgement stops escalation; <c>resolved</c>: it goes on until the subject is resolved.</summary>
    public string? Until { get; set; }
}

public sealed class EscalationLevelDefinition
{
    /// <summary>Who this level pages: each is <c>{user: NAME}</c>, <c>{schedule: NAME}</c> or <c>{contact: NAME}</c>.</summary>
    public List<EscalationTargetDefinition>? Targets { get; set; }
    /// <summary>How long to wait for an acknowledgement before the next level (required except on the last level of a policy without repeat).</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
    public TimeSpan? Delay { get; set; }
}

/// <summary>Exactly one of the three.</summary>
public sealed class EscalationTargetDefinition
{
    /// <summary>A Vigil username.</summary>
    public string? User { get; set; }
    /// <summary>A schedule: whoever is on call on it at the moment the level is paged.</summary>
    public string? Schedule { get; set; }
    /// <summary>Someone outside any rotation: an entry of <c>contacts:</c>, or a catalog service's contact of that name.</summary>
    public string? Contact { get; set; }

    public override string ToString() =>
        User is not null ? $"user {User}" : Schedule is not null ? $"schedule {Schedule}" : $"contact {Contact}";
}

/// <summary>One entry of <c>contacts:</c>: a person or line outside any rotation (the CTO, a DBA, a vendor's support line).</summary>
public sealed class ExternalContactDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    public string? Email { get; set; }
    /// <summary>For SMS, in E.164 form (<c>+4915112345678</c>).</summary>
    public string? Phone { get; set; }
    /// <summary>A Slack incoming webhook URL.</summary>
    public string? Slack { get; set; }
    /// <summary>A URL that gets the Alertmanager webhook JSON.</summary>
    public string? Webhook { get; set; }
}

/// <summary>The <c>paging:</c> section: how pages reach people's contact methods.</summary>
public sealed class PagingSettings
{
    /// <summary>A channel of type <c>email</c> whose SMTP server and sender carry pages to email contact methods.</summary>
    public string? EmailChannel { get; set; }
    /// <summary>A channel of type <c>sms</c> whose account carries pages to phone numbers.</summary>
    public string? SmsChannel { get; set; }
    /// <summary>Vigil's public address, the base of the links in a page; defaults to <c>alerting.external_url</c>.</summary>
    public string? ExternalUrl { get; set; }
    /// <summary>How long the acknowledge and resolve links in a page work (default 24h).</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(24);
}
