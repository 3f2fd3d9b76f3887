using System.Net;
using System.Net.Sockets;
using Vigil.Configuration;

namespace Vigil.Features.Outbound;

/// <summary>A connection the outbound policy refused; nothing was sent to the address.</summary>
public sealed class OutboundRefusedException(string message) : IOException(message);

/// <summary>
/// Opens every connection Vigil makes on a user's behalf, after checking the host and each address
/// it resolves to against the <see cref="OutboundPolicy"/> in force: HTTP clients use
/// <see cref="ConnectAsync"/> as their <see cref="SocketsHttpHandler.ConnectCallback"/> (so every
/// redirect hop is checked too), TCP, TLS, DNS and ICMP probes call <see cref="ResolveAsync"/>.
/// </summary>
public static class OutboundConnector
{
    private static volatile OutboundPolicy current = OutboundPolicy.Default;

    /// <summary>The policy of the configuration in force (one per process: <c>outbound:</c> is read on every reload).</summary>
    public static OutboundPolicy Current
    {
        get => current;
        set => current = value;
    }

    /// <summary>The addresses of <paramref name="host"/> the policy allows, in resolver order; throws <see cref="OutboundRefusedException"/> when there are none.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        await ResolveAsync(current, host, cancellationToken);

    public static async Task<IPAddress[]> ResolveAsync(OutboundPolicy policy, string host, CancellationToken cancellationToken)
    {
        if (policy.RefuseHost(host) is { } refused)
        {
            throw new OutboundRefusedException(refused);
        }
        var bare = host.Trim('[', ']');
        var addresses = IPAddress.TryParse(bare, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(bare, cancellationToken);
        var allowed = addresses.Where(a => policy.RefuseAddress(a, host) is null).ToArray();
        if (allowed.Length == 0 && addresses.Length > 0)
        {
            throw new OutboundRefusedException(policy.RefuseAddress(addresses[0], host)!);
        }
        return allowed;
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects only to allowed addresses.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A handler for an outbound HTTP client, with the policy's connect callback.</summary>
    public static SocketsHttpHandler Handler(bool allowRedirects = false) => new()
    {
        ConnectCallback = ConnectAsync,
        AllowAutoRedirect = allowRedirects,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };
}

/// <summary>Puts the <c>outbound:</c> section in force on every (re)load.</summary>
public sealed class ApplyOutboundPolicy : IConfigConsumer
{
    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        OutboundConnector.Current = OutboundPolicy.From(config.Outbound);
        return Task.CompletedTask;
    }
}
