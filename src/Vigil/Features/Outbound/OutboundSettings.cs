namespace Vigil.Features.Outbound;

/// <summary>
/// The <c>outbound:</c> section of vigil.yaml: where Vigil may connect on a user's behalf (monitors,
/// channels, contact methods, calendar feeds, scrapes, the dead man's switch). Link-local and
/// cloud-metadata addresses are refused unless <see cref="Allow"/> names them.
/// </summary>
public sealed class OutboundSettings
{
    /// <summary>More to refuse, besides <see cref="OutboundPolicy.DefaultDeny"/>: addresses, CIDR ranges or host names.</summary>
    public List<string> Deny { get; set; } = [];
    /// <summary>Exceptions to the refusals: addresses, CIDR ranges or host names. An allowed host name is allowed whatever it resolves to.</summary>
    public List<string> Allow { get; set; } = [];
    /// <summary>Hosts a <c>multi_step</c> monitor may send an extracted value to besides the host it was read from.</summary>
    public List<string> ExtractTo { get; set; } = [];
}
