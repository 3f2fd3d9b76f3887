using System.Diagnostics;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet run: fills a store and prints head memory per series and on-disk bytes
/// per sample in blocks (<c>dotnet run -c Release -- footprint</c>).
/// </summary>
internal static class Footprint
{
    public static async Task RunAsync()
    {
        await HeadMemoryAsync(100_000, 180); // one sealed chunk and a half-full open one per series
        await BlockBytesAsync(10_000, 960);
    }

    private static async Task HeadMemoryAsync(int seriesCount, int scrapes)
    {
        var dir = TempDir();
        var series = Workload.Series(seriesCount);
        var before = Measure();
        var store = TsdbStore.Open(dir, Options());
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < scrapes; s++)
        {
            var app = store.Appender();
            for (var i = 0; i < series.Length; i++)
            {
                app.Append(series[i], Workload.Time(0, s, i), Workload.Value(i, s));
            }
            await app.CommitAsync();
        }
        var elapsed = clock.Elapsed;
        var after = Measure();
        var stats = store.GetStats();
        Console.WriteLine($"head: {seriesCount:N0} series x {scrapes} samples, {stats.SamplesAppendedTotal:N0} samples in {elapsed.TotalSeconds:F1} s " +
            $"({stats.SamplesAppendedTotal / elapsed.TotalSeconds:N0} samples/s, {stats.WalFsyncsTotal} fsyncs)");
        Console.WriteLine($"head: {(after - before) / (double)seriesCount:N0} bytes of managed memory per series, {(after - before) / (double)stats.SamplesAppendedTotal:F2} per sample " +
            $"(labels held by the caller excluded), {stats.HeadChunks:N0} chunks, WAL {stats.WalBytes / (double)stats.SamplesAppendedTotal:F2} bytes/sample");
        GC.KeepAlive(series);
        await store.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    private static async Task BlockBytesAsync(int seriesCount, int scrapes)
    {
        var dir = TempDir();
        var series = Workload.Series(seriesCount);
        await using (var store = TsdbStore.Open(dir, Options()))
        {
            for (var s = 0; s < scrapes; s++)
            {
                var app = store.Appender();
                for (var i = 0; i < series.Length; i++)
                {
                    app.Append(series[i], Workload.Time(0, s, i), Workload.Value(i, s));
                }
                await app.CommitAsync();
            }
            await store.RunMaintenanceAsync();
            var stats = store.GetStats();
            var chunkBytes = Directory.EnumerateFiles(Path.Combine(dir, "blocks"), "chunks", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            var inBlocks = stats.SamplesAppendedTotal - CountHeadSamples(store);
            Console.WriteLine($"blocks: {stats.Blocks} blocks, {inBlocks:N0} samples, chunks file {chunkBytes / (double)inBlocks:F2} bytes/sample, " +
                $"whole blocks incl. index {stats.BlocksBytes / (double)inBlocks:F2} bytes/sample");
        }
        Directory.Delete(dir, recursive: true);
    }

    private static long CountHeadSamples(TsdbStore store)
    {
        var headMin = store.GetStats().HeadMinTimeMs ?? long.MaxValue;
        return store.Select(headMin, long.MaxValue, [new LabelMatcher("__name__", MatchType.RegexMatch, ".+")]).Sum(s => (long)s.Samples.Count);
    }

    private static TsdbOptions Options() => new() { MaintenanceInterval = null, RetentionTime = TimeSpan.FromDays(36_500) };

    private static string TempDir() => Path.Combine(Path.GetTempPath(), "vigil-footprint-" + Guid.NewGuid().ToString("N"));

    private static long Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
