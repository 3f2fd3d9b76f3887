using Vigil.Features.Monitors;
using Vigil.Features.Monitors.Probes;
using Vigil.Features.Monitors.Scheduling;

namespace Vigil.Tests.Monitors;

/// <summary>The real probes on the real clock, for tests against local servers.</summary>
internal static class Probes
{
    public static CheckRunner Runner(TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var http = new HttpExchange(clock);
        return new CheckRunner(
        [
            new HttpProbe(http), new TcpProbe(clock), new DnsProbe(clock), new TlsProbe(clock), new DependencyHealthProbe(http),
            new MultiStepProbe(http), new WebSocketProbe(clock), new IcmpProbe(clock),
        ], clock);
    }

    public static Task<CheckResult> RunAsync(MonitorDefinition m)
    {
        m.Name ??= "test";
        m.Service ??= "api";
        m.Timeout ??= TimeSpan.FromSeconds(2);
        return Runner().RunAsync(m, CancellationToken.None);
    }
}
