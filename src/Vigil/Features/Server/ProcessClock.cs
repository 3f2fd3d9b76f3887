using System.Reflection;

namespace Vigil.Features.Server;

/// <summary>When this Vigil process started and which version it is.</summary>
public sealed class ProcessClock(TimeProvider clock)
{
    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();

    public TimeSpan Uptime => clock.GetUtcNow() - StartedAt;

    public static string Version { get; } =
        typeof(ProcessClock).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
