using Vigil.Configuration;

namespace Vigil.Features.Outbound;

/// <summary>
/// <c>vigil config check</c> and every load: the <c>outbound:</c> section, and every address in the
/// file that Vigil would connect to checked against it before any name is resolved. Each area lists
/// its own addresses (monitors, channels, contacts, calendar feeds, scrape targets, service metrics
/// targets, the dead man's switch) by path; this slice knows none of them.
/// </summary>
public static class OutboundRules
{
    public static IEnumerable<FieldError> Validate(OutboundSettings settings, IEnumerable<(string Path, string Value, bool IsUrl)> destinations) =>
        OutboundPolicy.ValidateSettings(settings, "outbound.").Concat(Refusals(destinations, OutboundPolicy.From(settings)));

    /// <summary>The destinations <paramref name="policy"/> refuses, as field errors at their paths (an API body's too, with paths relative to it).</summary>
    public static IEnumerable<FieldError> Refusals(IEnumerable<(string Path, string Value, bool IsUrl)> destinations, OutboundPolicy policy) =>
        destinations
            .Select(d => (d.Path, Reason: d.IsUrl ? policy.RefuseUrl(d.Value) : policy.RefuseHost(HostOf(d.Value))))
            .Where(d => d.Reason is not null)
            .Select(d => new FieldError(d.Path, d.Reason!));

    /// <summary>The host of a <c>host:port</c> target (<c>[::1]:9090</c> too).</summary>
    public static string HostOf(string target) =>
        Uri.TryCreate("tcp://" + target, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host : target;
}
