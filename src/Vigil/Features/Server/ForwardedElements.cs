using System.Globalization;
using System.Net;

namespace Vigil.Features.Server;

/// <summary>One <c>forwarded-element</c> of an RFC 7239 <c>Forwarded</c> header: what one proxy saw.</summary>
/// <param name="For">The address the proxy received the request from; null for <c>unknown</c> or an obfuscated identifier (<c>_hidden</c>).</param>
public sealed record ForwardedElement(IPAddress? For, int? ForPort, string? Proto, string? Host);

/// <summary>The client as the trusted proxies report it.</summary>
public sealed record ForwardedClient(IPAddress Address, int? Port, string? Proto, string? Host);

/// <summary>
/// The standard <c>Forwarded</c> header (RFC 7239), which ASP.NET Core's forwarded-headers
/// middleware does not read: parsing (§4: <c>1#forwarded-element</c>, each
/// <c>forwarded-pair *( ";" forwarded-pair )</c>, values a token or a quoted-string; §6: nodes
/// <c>IPv4[:port]</c>, <c>"[IPv6]:port"</c>, <c>unknown</c>, <c>_obfuscated</c>) and the decision
/// which element names the client.
/// </summary>
public static class ForwardedElements
{
    /// <summary>
    /// Parses every field value of the header in order (several fields join as one list, RFC 7230
    /// §3.2.2). Null when any part is malformed: a header that cannot be read is not trusted in part.
    /// </summary>
    public static IReadOnlyList<ForwardedElement>? Parse(IEnumerable<string?> fieldValues)
    {
        var elements = new List<ForwardedElement>();
        foreach (var value in fieldValues)
        {
            if (value is null || !ParseField(value, elements))
            {
                return null;
            }
        }
        return elements.Count == 0 ? null : elements;
    }

    /// <summary>
    /// Walks the elements from the nearest proxy outwards (right to left): an element is believed
    /// only when whoever appended it is trusted; the first address that is not a trusted proxy is the
    /// client (the rightmost-untrusted rule). The walk stops at an element whose <c>for</c> is not an
    /// address (<c>unknown</c>, obfuscated): the last address known stays the client.
    /// Null when the peer itself is not trusted: then the header is ignored.
    /// </summary>
    public static ForwardedClient? Resolve(IPAddress peer, int? peerPort, IReadOnlyList<ForwardedElement> elements, Func<IPAddress, bool> isTrusted)
    {
        if (!isTrusted(peer))
        {
            return null;
        }
        var client = new ForwardedClient(peer, peerPort, null, null);
        for (var i = elements.Count - 1; i >= 0; i--)
        {
            var element = elements[i];
            if (element.For is not { } address)
            {
                break;
            }
            client = new ForwardedClient(address, element.ForPort, element.Proto ?? client.Proto, element.Host ?? client.Host);
            if (!isTrusted(address))
            {
                break;
            }
        }
        return client;
    }

    private static bool ParseField(string value, List<ForwardedElement> elements)
    {
        var position = 0;
        while (true)
        {
            SkipSpace(value, ref position);
            if (position < value.Length && value[position] == ',')
            {
                // Empty list elements are allowed by the #rule (RFC 7230 §7).
                position++;
                continue;
            }
            if (position >= value.Length)
            {
                return true;
            }
            var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                SkipSpace(value, ref position);
                if (position < value.Length && value[position] != ',' && value[position] != ';')
                {
                    var name = ReadToken(value, ref position);
                    if (name.Length == 0 || position >= value.Length || value[position] != '=')
                    {
                        return false;
                    }
                    position++;
                    var pairValue = position < value.Length && value[position] == '"' ? ReadQuoted(value, ref position) : ReadToken(value, ref position);
                    // §4: each parameter MUST NOT occur more than once per element.
                    if (pairValue is null || !pairs.TryAdd(name, pairValue))
                    {
                        return false;
                    }
                    SkipSpace(value, ref position);
                }
                if (position < value.Length && value[position] == ';')
                {
                    position++;
                    continue;
                }
                break;
            }
            if (position < value.Length && value[position] != ',')
            {
                return false;
            }
            if (ToElement(pairs) is not { } element)
            {
                return false;
            }
            elements.Add(element);
        }
    }

    private static ForwardedElement? ToElement(Dictionary<string, string> pairs)
    {
        IPAddress? address = null;
        int? port = null;
        if (pairs.TryGetValue("for", out var node) && !ParseNode(node, out address, out port))
        {
            return null;
        }
        var proto = pairs.GetValueOrDefault("proto");
        // §5.4: a URI scheme, ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
        if (proto is not null && !(proto.Length > 0 && char.IsAsciiLetter(proto[0]) && proto.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')))
        {
            return null;
        }
        var host = pairs.GetValueOrDefault("host");
        // §5.3: the Host header's syntax, uri-host [":" port].
        if (host is not null && (host.Length == 0 || Uri.CheckHostName(HostWithoutPort(host)) == UriHostNameType.Unknown))
        {
            return null;
        }
        return new ForwardedElement(address, port, proto?.ToLowerInvariant(), host);
    }

    /// <summary>§6: <c>node = nodename [ ":" node-port ]</c>; an IPv6 nodename is in brackets.</summary>
    private static bool ParseNode(string node, out IPAddress? address, out int? port)
    {
        address = null;
        port = null;
        string name;
        string? portText = null;
        if (node.StartsWith('['))
        {
            var close = node.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }
            name = node[1..close];
            var rest = node[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }
                portText = rest[1..];
            }
            if (!IPAddress.TryParse(name, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
            address = v6;
        }
        else
        {
            var colon = node.IndexOf(':', StringComparison.Ordinal);
            name = colon < 0 ? node : node[..colon];
            portText = colon < 0 ? null : node[(colon + 1)..];
            if (name.Equals("unknown", StringComparison.OrdinalIgnoreCase) || (name.StartsWith('_') && name.Length > 1))
            {
                address = null;
            }
            else if (IPAddress.TryParse(name, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && name.Count(c => c == '.') == 3)
            {
                address = v4;
            }
            else
            {
                return false;
            }
        }
        if (portText is not null)
        {
            // node-port = port / obfport ("_" followed by ALPHA / DIGIT / "." / "_" / "-").
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 0 and <= 65535 && portText.Length <= 5)
            {
                port = address is null ? null : number;
            }
            else if (!(portText.Length > 1 && portText[0] == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private static string HostWithoutPort(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? host : host[1..close];
        }
        var colon = host.LastIndexOf(':');
        return colon < 0 ? host : host[..colon];
    }

    private static void SkipSpace(string value, ref int position)
    {
        while (position < value.Length && value[position] is ' ' or '\t')
        {
            position++;
        }
    }

    /// <summary>RFC 7230 §3.2.6 token characters.</summary>
    private static string ReadToken(string value, ref int position)
    {
        var start = position;
        while (position < value.Length && (char.IsAsciiLetterOrDigit(value[position]) || "!#$%&'*+-.^_`|~".Contains(value[position], StringComparison.Ordinal)))
        {
            position++;
        }
        return value[start..position];
    }

    /// <summary>RFC 7230 §3.2.6 quoted-string, with quoted-pair escapes.</summary>
    private static string? ReadQuoted(string value, ref int position)
    {
        position++;
        var text = new System.Text.StringBuilder();
        while (position < value.Length)
        {
            var c = value[position++];
            if (c == '"')
            {
                return text.ToString();
            }
            if (c == '\\')
            {
                if (position >= value.Length)
                {
                    return null;
                }
                c = value[position++];
            }
            text.Append(c);
        }
        return null;
    }
}
