namespace Vigil.Features.Notifications.Channels;

/// <summary>One entry of <c>channels:</c>: where notifications go (slack, pagerduty, email, sms, teams, webhook).</summary>
public sealed class ChannelDefinition
{
    public string? Name { get; set; }
    public string? Type { get; set; }
}
