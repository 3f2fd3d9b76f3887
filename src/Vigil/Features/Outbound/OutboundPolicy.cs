using System.Net;
using System.Net.Sockets;
using Vigil.Configuration;

namespace Vigil.Features.Outbound;

/// <summary>
/// Whether Vigil may connect to a host or address on a user's behalf: a pure decision of the
/// <c>outbound:</c> settings. Checked twice: on the host name before resolving (a denied name, a
/// literal address) and on every address the name resolves to, right before connecting
/// (<see cref="OutboundConnector"/>), so a name that points at a metadata address is refused too.
/// </summary>
public sealed class OutboundPolicy
{
    /// <summary>
    /// Refused by default: IPv4 and IPv6 link-local (which holds the AWS, Azure, GCP, OpenStack and
    /// DigitalOcean metadata address 169.254.169.254), AWS's IPv6 metadata address, Alibaba's and
    /// Azure's host endpoints, and the names cloud metadata services answer to.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultDeny =
    [
        "169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32", "168.63.129.16/32",
        "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    ];

    public static OutboundPolicy Default { get; } = From(new OutboundSettings());

    private readonly List<IPNetwork> deniedNetworks = [];
    private readonly List<IPNetwork> allowedNetworks = [];
    private readonly HashSet<string> deniedHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> allowedHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> extractTo = new(StringComparer.OrdinalIgnoreCase);

    public static OutboundPolicy From(OutboundSettings settings)
    {
        var policy = new OutboundPolicy();
        foreach (var entry in DefaultDeny.Concat(settings.Deny))
        {
            Add(entry, policy.deniedNetworks, policy.deniedHosts);
        }
        foreach (var entry in settings.Allow)
        {
            Add(entry, policy.allowedNetworks, policy.allowedHosts);
        }
        foreach (var host in settings.ExtractTo)
        {
            policy.extractTo.Add(host.Trim().TrimEnd('.'));
        }
        return policy;
    }

    private static void Add(string entry, List<IPNetwork> networks, HashSet<string> hosts)
    {
        if (ParseNetwork(entry) is { } network)
        {
            networks.Add(network);
        }
        else
        {
            hosts.Add(NormalHost(entry));
        }
    }

    /// <summary>An address (<c>10.0.0.1</c>, <c>[::1]</c>) as a one-address network, or a CIDR range; null for a host name.</summary>
    private static IPNetwork? ParseNetwork(string entry)
    {
        var text = entry.Trim().Trim('[', ']');
        if (IPAddress.TryParse(text, out var address))
        {
            address = Normal(address);
            return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        return IPNetwork.TryParse(text, out var network) ? network : null;
    }

    private static string NormalHost(string host) => host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Why connecting to <paramref name="host"/> (a name or a literal address) is refused before resolving it, or null.</summary>
    public string? RefuseHost(string host)
    {
        var name = NormalHost(host);
        if (allowedHosts.Contains(name))
        {
            return null;
        }
        if (IPAddress.TryParse(name, out var address))
        {
            return RefuseAddress(address, name);
        }
        return deniedHosts.Contains(name)
            ? $"the outbound policy refuses {name} (a cloud-metadata or denied host); to allow it, list it under outbound.allow"
            : null;
    }

    /// <summary>Why connecting to <paramref name="address"/>, which <paramref name="host"/> resolved to, is refused, or null.</summary>
    public string? RefuseAddress(IPAddress address, string host)
    {
        address = Normal(address);
        if (allowedHosts.Contains(NormalHost(host)) || allowedNetworks.Any(n => n.Contains(address)))
        {
            return null;
        }
        var denied = deniedNetworks.FirstOrDefault(n => n.Contains(address));
        if (denied == default)
        {
            return null;
        }
        var what = NormalHost(host) == address.ToString() ? address.ToString() : $"{NormalHost(host)} ({address})";
        return $"the outbound policy refuses {what}: it is in {denied}, a link-local, cloud-metadata or denied range; to allow it, list it under outbound.allow";
    }

    /// <summary>Why a URL is refused before resolving, or null (also null for what is not an absolute URL: other rules say so).</summary>
    public string? RefuseUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? RefuseHost(uri.Host) : null;

    /// <summary>Whether a value read from <paramref name="fromHost"/> may be sent to <paramref name="toHost"/>: the same host, or one listed in <c>outbound.extract_to</c>.</summary>
    public bool MayForwardExtract(string fromHost, string toHost) =>
        string.Equals(NormalHost(fromHost), NormalHost(toHost), StringComparison.Ordinal) || extractTo.Contains(NormalHost(toHost));

    /// <summary>Entries of deny/allow that are neither an address, a CIDR range nor a host name.</summary>
    public static IEnumerable<FieldError> ValidateSettings(OutboundSettings settings, string at)
    {
        foreach (var (list, key) in new[] { (settings.Deny, "deny"), (settings.Allow, "allow"), (settings.ExtractTo, "extract_to") })
        {
            for (var i = 0; i < list.Count; i++)
            {
                var entry = list[i]?.Trim() ?? "";
                var isNetwork = key != "extract_to" && ParseNetwork(entry) is not null;
                if (!isNetwork && (entry.Contains('/', StringComparison.Ordinal) || Uri.CheckHostName(entry.Trim('[', ']')) == UriHostNameType.Unknown))
                {
                    yield return new FieldError($"{at}{key}[{i}]", key == "extract_to"
                        ? $"\"{entry}\" is not a host name"
                        : $"\"{entry}\" is not an address, a CIDR range (169.254.0.0/16) or a host name");
                }
            }
        }
    }
}
