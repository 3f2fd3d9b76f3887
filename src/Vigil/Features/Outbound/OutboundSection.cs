using Vigil.Features.Server;

namespace Vigil.Features.Outbound;

/// <summary>
/// The System page's "Outbound connections" table: the <c>outbound:</c> policy in force, with the
/// refusals built in, so an operator sees why a monitor or a channel to some address is refused.
/// </summary>
public sealed class OutboundSection(Configuration.ConfigReloader config) : ISystemSection
{
    public int Order => 30;

    public Task<IReadOnlyList<SystemTable>> ReadAsync(CancellationToken cancellationToken)
    {
        var settings = config.Current.Config.Outbound;
        var rows = new List<SystemRow>();
        rows.AddRange(OutboundPolicy.DefaultDeny.Select(e => new SystemRow([e, "built in"], "down", "refused")));
        rows.AddRange(settings.Deny.Select(e => new SystemRow([e, "outbound.deny"], "down", "refused")));
        rows.AddRange(settings.Allow.Select(e => new SystemRow([e, "outbound.allow"], "up", "allowed")));
        rows.AddRange(settings.ExtractTo.Select(e => new SystemRow([e, "outbound.extract_to"], "up", "extract to")));
        IReadOnlyList<SystemTable> tables =
        [
            new("outbound", "Outbound connections",
                "Where Vigil may connect on a user's behalf (monitors, channels, scrapes, calendar feeds). Every name is checked before it is resolved and every address it resolves to before connecting; an allowed entry overrides a refusal (docs/outbound.md).",
                ["Address, range or host", "From"], rows),
        ];
        return Task.FromResult(tables);
    }
}
