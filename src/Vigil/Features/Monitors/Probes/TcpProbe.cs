using System.Net.Sockets;

namespace Vigil.Features.Monitors.Probes;

/// <summary>TCP: the port accepts a connection.</summary>
public sealed class TcpProbe(TimeProvider clock) : IMonitorProbe
{
    public MonitorType Type => MonitorType.Tcp;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(await Outbound.OutboundConnector.ResolveAsync(m.Host!, cancellationToken), m.Port!.Value, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or Outbound.OutboundRefusedException)
        {
            return CheckResult.Down(HttpExchange.Describe(e), clock.GetElapsedTime(started));
        }
        return CheckResult.UpUnless(m.DegradedAfter, $"connected to port {m.Port}", clock.GetElapsedTime(started));
    }
}
