using System.Diagnostics;
using Vigil.Metrics.RemoteWrite;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Bench.Metrics.Ingest;

/// <summary>
/// The same ingest as <see cref="RemoteWriteIngestBenchmarks"/>, three times, reported as process
/// CPU time per sample (all threads, GC included) besides wall time: on a machine shared with
/// other work, CPU time moves much less with the load than wall time does.
/// Run: <c>dotnet run -c Release --project bench/metrics/Ingest -- cpu [writers=1]</c>.
/// </summary>
internal static class CpuTime
{
    public static async Task RunAsync(int writers)
    {
        var bySender = Bodies.BySender();
        var interleaved = Bodies.Interleaved(bySender);
        const double samples = Bodies.Series * Bodies.Steps;
        for (var round = 0; round < 3; round++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "vigil-bench-ingest-" + Guid.NewGuid().ToString("N"));
            var store = TsdbStore.Open(directory, new TsdbOptions { MaintenanceInterval = null, RetentionTime = TimeSpan.FromDays(36_500) });
            GC.Collect();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var pause = GC.GetTotalPauseDuration();
            var allocated = GC.GetTotalAllocatedBytes();
            var wall = Stopwatch.StartNew();
            if (writers == 1)
            {
                foreach (var body in interleaved)
                {
                    await WriteAsync(store, body);
                }
            }
            else
            {
                await Task.WhenAll(bySender.Select(bodies => Task.Run(async () =>
                {
                    foreach (var body in bodies)
                    {
                        await WriteAsync(store, body);
                    }
                })));
            }
            wall.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine(
                $"{writers} writer(s): wall {wall.Elapsed.TotalNanoseconds / samples:F0} ns/sample, process CPU {cpu.TotalNanoseconds / samples:F0} ns/sample, " +
                $"allocated {(GC.GetTotalAllocatedBytes() - allocated) / samples:F0} B/sample, GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms");
            await store.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WriteAsync(ISampleStore store, byte[] body)
    {
        var appender = store.Appender();
        RemoteWriteDecoder.DecodeInto(body, appender);
        if ((await appender.CommitAsync()).Rejected > 0)
        {
            throw new InvalidOperationException("samples rejected");
        }
    }
}
