using System.Net;
using System.Net.Sockets;

namespace Vigil.Hosting;

/// <summary>A listen address that another program holds; its message is the one line <c>vigil serve</c> prints.</summary>
public sealed class ListenAddressInUseException(string url)
    : Exception($"vigil: cannot listen on {url}: the address is already in use. Stop the program that holds it, or choose another address with --urls (e.g. --urls http://127.0.0.1:{SuggestedPort(url)}).")
{
    public string Url { get; } = url;

    private static int SuggestedPort(string url) =>
        Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port + 1 : 8081;
}

/// <summary>
/// Checks before anything else happens at start (the database migrated, the first admin created)
/// that every listen address can be bound, so a taken port fails the start with one line and
/// changes nothing.
/// </summary>
public static class ListenAddresses
{
    public static void EnsureFree(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parsable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || uri.Port == 0)
            {
                continue;
            }
            IPAddress[] addresses = uri.Host == "localhost" ? [IPAddress.Loopback]
                : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? [ip]
                : [];
            foreach (var address in addresses)
            {
                using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                // As Kestrel binds: connections of a previous run in TIME_WAIT do not count, a listener does.
                probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                try
                {
                    probe.Bind(new IPEndPoint(address, uri.Port));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    throw new ListenAddressInUseException(url);
                }
            }
        }
    }
}
