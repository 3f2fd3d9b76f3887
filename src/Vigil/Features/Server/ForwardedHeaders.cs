using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Vigil.Configuration;

namespace Vigil.Features.Server;

/// <summary>
/// <c>server.forwarded_headers</c>: behind a load balancer, the proxies whose forwarded headers
/// name the real client. Read at start, like the rest of <c>server:</c>.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses (<c>10.0.0.5</c>, <c>::1</c>) and CIDR networks (<c>10.0.0.0/8</c>) of the proxies in front of Vigil.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>
/// Replaces the connection's address, scheme and host by those the trusted proxies forwarded, before
/// anything reads them (audit entries, sign-in lockout, rate limits, links). X-Forwarded-For,
/// -Proto and -Host go through ASP.NET Core's <see cref="ForwardedHeadersMiddleware"/>; the
/// standard <c>Forwarded</c> header (RFC 7239), which it does not read, through
/// <see cref="ForwardedElements"/>, with the same trust list. When a trusted proxy sends both, the
/// standard header wins and the X-Forwarded-* headers of that request are ignored. Headers from a
/// peer that is not a trusted proxy are ignored.
/// </summary>
public static class ForwardedHeaders
{
    private const string StandardHeader = "Forwarded";

    public static IServiceCollection AddForwardedHeaders(this IServiceCollection services)
    {
        // Read when the pipeline is built, after the configuration has been loaded.
        services.AddOptions<ForwardedHeadersOptions>().Configure<ConfigReloader>((o, config) =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost;
            // The defaults trust loopback; Vigil trusts only what the file names.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            // The whole chain is walked while the sender is trusted, not only the last hop.
            o.ForwardLimit = null;
            foreach (var entry in config.Current.Config.Server.ForwardedHeaders?.TrustedProxies ?? [])
            {
                if (!entry.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(entry, out var address))
                {
                    o.KnownProxies.Add(address);
                }
                else if (System.Net.IPNetwork.TryParse(entry, out var network))
                {
                    o.KnownIPNetworks.Add(network);
                }
            }
        });
        return services;
    }

    public static IApplicationBuilder UseForwardedClient(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>();
        app.Use((context, next) =>
        {
            ApplyStandardHeader(context, options.Value);
            return next(context);
        });
        return app.UseForwardedHeaders();
    }

    public static IEnumerable<FieldError> Validate(ServerSettings server)
    {
        var proxies = server.ForwardedHeaders?.TrustedProxies ?? [];
        for (var i = 0; i < proxies.Count; i++)
        {
            if (ParseError(proxies[i]) is { } reason)
            {
                yield return new FieldError($"server.forwarded_headers.trusted_proxies[{i}]", reason);
            }
        }
    }

    /// <summary>Null when <paramref name="entry"/> is an address or a CIDR network, else why not.</summary>
    public static string? ParseError(string? entry)
    {
        if (string.IsNullOrWhiteSpace(entry))
        {
            return "an address (10.0.0.5) or a CIDR network (10.0.0.0/8) is required";
        }
        if (!entry.Contains('/', StringComparison.Ordinal))
        {
            return IsAddress(entry) ? null : $"\"{entry}\" is not an IP address (a host name cannot be trusted: give its address or network)";
        }
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        if (!IsAddress(entry[..slash]) || !IPAddress.TryParse(entry[..slash], out var baseAddress))
        {
            return $"\"{entry}\" is not a CIDR network: \"{entry[..slash]}\" is not an IP address";
        }
        var bits = baseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (!int.TryParse(entry[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix) || prefix > bits)
        {
            return $"\"{entry}\" is not a CIDR network: the prefix length must be 0 to {bits}";
        }
        var bytes = baseAddress.GetAddressBytes();
        for (var bit = prefix; bit < bits; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return $"\"{entry}\" is not a CIDR network: the address has bits set beyond the /{prefix} prefix";
            }
        }
        return System.Net.IPNetwork.TryParse(entry, out _) ? null : $"\"{entry}\" is not a CIDR network";
    }

    /// <summary>A full IPv4 dotted quad or an IPv6 address; not the legacy short forms (<c>10.1</c>) that IPAddress also reads.</summary>
    private static bool IsAddress(string text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3);

    private static void ApplyStandardHeader(HttpContext context, ForwardedHeadersOptions options)
    {
        var headers = context.Request.Headers;
        if (!headers.TryGetValue(StandardHeader, out var values) || context.Connection.RemoteIpAddress is not { } peer)
        {
            return;
        }
        if (!IsTrusted(peer, options))
        {
            return;
        }
        // A trusted proxy that sends the standard header is read through it alone.
        headers.Remove(options.ForwardedForHeaderName);
        headers.Remove(options.ForwardedProtoHeaderName);
        headers.Remove(options.ForwardedHostHeaderName);
        if (ForwardedElements.Parse(values) is not { } elements
            || ForwardedElements.Resolve(peer, context.Connection.RemotePort, elements, address => IsTrusted(address, options)) is not { } client)
        {
            return;
        }
        context.Connection.RemoteIpAddress = client.Address;
        context.Connection.RemotePort = client.Port ?? 0;
        if (client.Proto is { } proto)
        {
            context.Request.Scheme = proto;
        }
        if (client.Host is { } host)
        {
            context.Request.Host = new HostString(host);
        }
    }

    private static bool IsTrusted(IPAddress address, ForwardedHeadersOptions options)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return options.KnownProxies.Contains(address) || options.KnownIPNetworks.Any(n => n.Contains(address));
    }
}
