using System.Net.NetworkInformation;

namespace Vigil.Features.Monitors.Probes;

/// <summary>ICMP ping: one echo request; the round trip decides up or degraded.</summary>
public sealed class IcmpProbe(TimeProvider clock) : IMonitorProbe
{
    public MonitorType Type => MonitorType.Icmp;

    public async Task<CheckResult> CheckAsync(MonitorDefinition m, CancellationToken cancellationToken)
    {
        using var ping = new Ping();
        var started = clock.GetTimestamp();
        try
        {
            var address = (await Outbound.OutboundConnector.ResolveAsync(m.Host!, cancellationToken))[0];
            var reply = await ping.SendPingAsync(address, m.Timeout ?? MonitorRules.DefaultTimeout, buffer: null, options: null, cancellationToken);
            var elapsed = clock.GetElapsedTime(started);
            return reply.Status == IPStatus.Success
                ? CheckResult.UpUnless(m.DegradedAfter, $"reply in {reply.RoundtripTime}ms", TimeSpan.FromMilliseconds(reply.RoundtripTime))
                : CheckResult.Down($"no reply: {reply.Status}", elapsed);
        }
        catch (PingException e)
        {
            return CheckResult.Down($"ping failed: {e.InnerException?.Message ?? e.Message}", clock.GetElapsedTime(started));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or Outbound.OutboundRefusedException)
        {
            return CheckResult.Down($"ping failed: {HttpExchange.Describe(e)}", clock.GetElapsedTime(started));
        }
    }
}
