using System.Net.WebSockets;
using System.Text;

namespace Vigil.Features.Monitors.Probes;

/// <summary>WebSocket: connect, send a message, await the reply; the round trip against <c>degraded_after</c> (the seeds' "latency &lt; 100 ms").</summary>
public sealed class WebSocketProbe(TimeProvider clock) : IMonitorProbe
{
    public MonitorType Type => MonitorType.Websocket;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        // Through a handler whose connections the outbound policy decides.
        var handler = Outbound.OutboundConnector.Handler();
        if (m.VerifyTls == false)
        {
            handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        }
        using var invoker = new HttpMessageInvoker(handler);
        foreach (var (name, value) in m.Headers ?? [])
        {
            socket.Options.SetRequestHeader(name, value);
        }
        var started = clock.GetTimestamp();
        try
        {
            await socket.ConnectAsync(new Uri(m.Url!), invoker, cancellationToken);
            if (m.Send is null)
            {
                await CloseAsync(socket, cancellationToken);
                return CheckResult.UpUnless(m.DegradedAfter, "connected", clock.GetElapsedTime(started));
            }
            var sent = clock.GetTimestamp();
            await socket.SendAsync(Encoding.UTF8.GetBytes(m.Send), WebSocketMessageType.Text, true, cancellationToken);
            var buffer = new byte[64 * 1024];
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            var latency = clock.GetElapsedTime(sent);
            var reply = Encoding.UTF8.GetString(buffer, 0, received.Count);
            await CloseAsync(socket, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return CheckResult.Down("closed before replying", latency);
            }
            if (m.Expect is { } expect && !reply.Contains(expect, StringComparison.Ordinal))
            {
                return CheckResult.Down($"reply mismatch: does not contain \"{expect}\"", latency);
            }
            return CheckResult.UpUnless(m.DegradedAfter, $"reply in {CheckResult.Seconds(latency)}", latency);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down($"websocket: {HttpExchange.Describe(e)}", clock.GetElapsedTime(started));
        }
    }

    private static async Task CloseAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        if (socket.State == WebSocketState.Open)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "check done", cancellationToken);
        }
    }
}
