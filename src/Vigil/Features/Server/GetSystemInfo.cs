using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Vigil.Data;

namespace Vigil.Features.Server;

/// <summary><c>GET /api/system/info</c>: memory (MiB), CPU, database connections, uptime, version, in the seeds' shape.</summary>
public static class GetSystemInfo
{
    public sealed record Memory(long Used, long Total);
    public sealed record Cpu(double Usage, int Cores);
    public sealed record Database(string Provider, int Connections, int? Max);
    /// <summary>This replica's configuration against the one last reloaded on any replica (<see cref="ShareConfigReloads"/>).</summary>
    public sealed record Config(string Fingerprint, string? PublishedFingerprint, long Version, bool InSync);
    public sealed record SystemInfo(Memory Memory, Cpu Cpu, Database Database, long Uptime, string Version, Config Config);

    public static Ok<SystemInfo> Handle(ProcessClock process, CpuSampler cpu, ConnectionCounter connections, DatabaseSettings database, ShareConfigReloads configs)
    {
        using var self = Process.GetCurrentProcess();
        const long MiB = 1024 * 1024;
        int? max = database.Provider == DatabaseProvider.Postgres
            ? new NpgsqlConnectionStringBuilder(database.ConnectionString).MaxPoolSize
            : null;
        return TypedResults.Ok(new SystemInfo(
            new Memory(self.WorkingSet64 / MiB, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / MiB),
            new Cpu(Math.Round(cpu.Sample(), 1), Environment.ProcessorCount),
            new Database(database.Provider.ToString().ToLowerInvariant(), connections.Open, max),
            (long)process.Uptime.TotalSeconds,
            ProcessClock.Version,
            new Config(configs.State.Fingerprint, configs.State.PublishedFingerprint, configs.State.Version, configs.State.InSync)));
    }
}

/// <summary>CPU used by this process since the previous sample, as a percentage of all cores.</summary>
public sealed class CpuSampler(TimeProvider clock)
{
    private readonly Lock gate = new();
    private long lastTimestamp = clock.GetTimestamp();
    private TimeSpan lastCpu = Process.GetCurrentProcess().TotalProcessorTime;

    public double Sample()
    {
        lock (gate)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = clock.GetElapsedTime(lastTimestamp);
            var used = cpu - lastCpu;
            lastCpu = cpu;
            lastTimestamp = clock.GetTimestamp();
            return wall <= TimeSpan.Zero ? 0 : Math.Clamp(100 * used / (wall * Environment.ProcessorCount), 0, 100);
        }
    }
}
