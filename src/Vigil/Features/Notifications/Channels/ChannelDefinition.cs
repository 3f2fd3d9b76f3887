namespace Vigil.Features.Notifications.Channels;

/// <summary>One entry of <c>channels:</c>: where notifications go (slack, pagerduty, email, sms, teams, webhook).</summary>
public sealed class ChannelDefinition
{
    public string? Name { get; set; }
    /// <summary>slack, pagerduty, email, sms, teams or webhook.</summary>
    public string? Type { get; set; }

    /// <summary>Where to post (slack, teams, webhook, sms; pagerduty defaults to Events API v2).</summary>
    public string? Url { get; set; }
    public string? UrlFile { get; set; }

    /// <summary>Slack: the channel to post to (<c>#alerts</c>); empty for the webhook's own channel.</summary>
    public string? Channel { get; set; }

    /// <summary>PagerDuty: the integration's routing key.</summary>
    public string? RoutingKey { get; set; }
    public string? RoutingKeyFile { get; set; }
    /// <summary>PagerDuty: the event's severity (critical, error, warning, info).</summary>
    public string Severity { get; set; } = "error";

    /// <summary>Email: <c>host:port</c> of the SMTP server.</summary>
    public string? Smarthost { get; set; }
    /// <summary>Email and SMS: the sender.</summary>
    public string? From { get; set; }
    /// <summary>Email and SMS: the recipients, separated by commas.</summary>
    public string? To { get; set; }
    public string? AuthUsername { get; set; }
    public string? AuthPassword { get; set; }
    public string? AuthPasswordFile { get; set; }
    /// <summary>Email: refuse to send unless the server offers STARTTLS (Alertmanager's <c>require_tls</c>, default true).</summary>
    public bool RequireTls { get; set; } = true;
    /// <summary>Email: the name given in EHLO.</summary>
    public string Hello { get; set; } = "localhost";

    /// <summary>SMS (Twilio-compatible): the account and its token.</summary>
    public string? AccountSid { get; set; }
    public string? AuthToken { get; set; }
    public string? AuthTokenFile { get; set; }

    /// <summary>Webhook: sent as <c>Authorization: Bearer ...</c>.</summary>
    public string? BearerToken { get; set; }
    public string? BearerTokenFile { get; set; }

    /// <summary>Send a notification when the group is resolved (default true).</summary>
    public bool SendResolved { get; set; } = true;
    /// <summary>At most this many messages a minute to this channel; 0 for no limit.</summary>
    public int RateLimit { get; set; }
    /// <summary>How long one attempt may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Another channel that also gets a notification this channel cannot deliver.</summary>
    public string? Fallback { get; set; }

    /// <summary>Optional templates for the title (subject) and text; defaults differ per type.</summary>
    public string? Title { get; set; }
    public string? Text { get; set; }

    /// <summary>The same channel without its own templates: how a message whose template fails to render is still sent.</summary>
    public ChannelDefinition WithDefaultLayout()
    {
        var copy = (ChannelDefinition)MemberwiseClone();
        copy.Title = null;
        copy.Text = null;
        return copy;
    }
}
