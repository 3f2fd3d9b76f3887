using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Vigil.Metrics.RemoteWrite;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet run (<c>dotnet run -c Release -- ingest [senders] [apply|decode]</c>): the shape of
/// bench/metrics's ingest (100,000 new series like node exporters, 50 metrics x 2,000 instances,
/// 30 samples each at 15 s, 2,000 series entries a remote-write body, one sample an entry), pushed
/// in process through <see cref="RemoteWriteDecoder.DecodeInto"/> and a commit by SENDERS
/// concurrent tasks, without HTTP. Prints samples/s, the CPU time split into decode and commit, and
/// the managed memory per series the head holds afterwards. With <c>apply</c> after SENDERS, times
/// only the store's apply step (what runs under its lock), single-threaded, over bodies decoded beforehand;
/// with <c>decode</c>, only the decoder.
/// </summary>
internal static class IngestFootprint
{
    private const int Metrics = 50;
    private const int Instances = 2_000;
    private const int Steps = 30;
    private const int Batch = 2_000;

    public static async Task RunAsync(int senders, string? part)
    {
        var series = new Labels[Metrics * Instances];
        for (var m = 0; m < Metrics; m++)
        {
            for (var i = 0; i < Instances; i++)
            {
                var name = m % 2 == 0 ? $"node_bench_metric_{m:00}_total" : $"node_bench_metric_{m:00}";
                series[m * Instances + i] = Labels.Of("__name__", name, "job", "node", "instance", "host-" + i.ToString("0000", CultureInfo.InvariantCulture) + ".bench.local:9100");
            }
        }
        // Bodies per sender, step by step, as the loader sends them (each sender owns a slice of the series).
        var t0 = 1_700_000_000_000L;
        var bodies = new List<byte[]>[senders];
        for (var j = 0; j < senders; j++)
        {
            bodies[j] = [];
            int from = series.Length * j / senders, to = series.Length * (j + 1) / senders;
            var entries = new List<TimeSeries>(Batch);
            for (var step = 0; step < Steps; step++)
            {
                for (var s = from; s < to; s++)
                {
                    entries.Add(new TimeSeries(series[s], [new Sample(t0 + step * 15_000L, Value(s, step))]));
                    if (entries.Count == Batch)
                    {
                        bodies[j].Add(RemoteWriteEncoder.Encode(new WriteRequest(entries, [])));
                        entries.Clear();
                    }
                }
            }
            if (entries.Count > 0)
            {
                bodies[j].Add(RemoteWriteEncoder.Encode(new WriteRequest(entries, [])));
            }
        }
        series = []; // the decoder builds its own label sets from the bodies
        var dir = Path.Combine(Path.GetTempPath(), "vigil-ingest-" + Guid.NewGuid().ToString("N"));
        if (part == "decode")
        {
            // Only the decoder, on one thread, into an appender that keeps nothing: 4 rounds, wall and process CPU time.
            var all = bodies.SelectMany(b => b).ToList();
            var sink = new NullAppender();
            for (var round = 0; round < 4; round++)
            {
                var sw = Stopwatch.StartNew();
                var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                foreach (var b in all)
                {
                    RemoteWriteDecoder.DecodeInto(b, sink);
                }
                var c1 = Process.GetCurrentProcess().TotalProcessorTime;
                Console.WriteLine($"decode only: {sw.Elapsed.TotalMicroseconds / 3_000_000:F3} µs/sample wall, {(c1 - c0).TotalMicroseconds / 3_000_000:F3} CPU");
            }
            return;
        }
        if (part == "apply")
        {
            // Only TsdbStore.Apply, on one thread, over bodies decoded beforehand: the part done under the store's lock.
            var decodedBatches = bodies.SelectMany(b => b).Select(b => RemoteWriteDecoder.Decode(b).Timeseries.Select(ts => (ts.Labels, ts.Samples[0].TimestampMs, ts.Samples[0].Value)).ToArray()).ToList();
            var st = TsdbStore.Open(dir + "-apply", new TsdbOptions { MaintenanceInterval = null, RetentionTime = TimeSpan.FromDays(36_500) });
            var first = Stopwatch.StartNew();
            for (var k = 0; k < decodedBatches.Count; k++)
            {
                if (k == 100_000 / Batch)
                {
                    Console.WriteLine($"apply-only: the first step (new series) {first.Elapsed.TotalMilliseconds:F0} ms");
                    first.Restart();
                }
                st.Apply(decodedBatches[k]);
            }
            Console.WriteLine($"apply-only: the other steps {first.Elapsed.TotalMilliseconds:F0} ms, {first.Elapsed.TotalMicroseconds / 2_900_000:F3} µs/sample");
            await st.DisposeAsync();
            Directory.Delete(dir + "-apply", recursive: true);
            return;
        }
        var before = Measure();
        var rssBefore = Rss();
        var store = TsdbStore.Open(dir, new TsdbOptions { MaintenanceInterval = null, RetentionTime = TimeSpan.FromDays(36_500) });
        long decodeTicks = 0, commitTicks = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(j => Task.Run(async () =>
        {
            foreach (var body in bodies[j])
            {
                var start = Stopwatch.GetTimestamp();
                var app = store.Appender();
                RemoteWriteDecoder.DecodeInto(body, app);
                var decoded = Stopwatch.GetTimestamp();
                await app.CommitAsync();
                Interlocked.Add(ref decodeTicks, decoded - start);
                Interlocked.Add(ref commitTicks, Stopwatch.GetTimestamp() - decoded);
            }
        })));
        var elapsed = clock.Elapsed;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var stats = store.GetStats();
        // As bench/metrics measures a server: resident memory 10 s after the push, no collection forced.
        await Task.Delay(TimeSpan.FromSeconds(10), TimeProvider.System);
        var rssAfter = Rss();
        var after = Measure();
        GC.KeepAlive(bodies);
        Console.WriteLine($"ingest: {stats.HeadSeries:N0} series, {stats.SamplesAppendedTotal:N0} samples, {senders} senders: {stats.SamplesAppendedTotal / elapsed.TotalSeconds:N0} samples/s, " +
            $"CPU {cpu.TotalSeconds:F2} s ({cpu.TotalMicroseconds / stats.SamplesAppendedTotal:F2} µs/sample), {stats.WalFsyncsTotal} fsyncs");
        Console.WriteLine($"ingest: wall time summed over requests: decode {Stopwatch.GetElapsedTime(0, decodeTicks).TotalSeconds:F2} s, commit (queue + apply + WAL + fsync) {Stopwatch.GetElapsedTime(0, commitTicks).TotalSeconds:F2} s");
        Console.WriteLine($"ingest: {(after - before) / (double)stats.HeadSeries:N0} bytes of managed memory per series (store and decoder caches); " +
            $"resident {(rssAfter - rssBefore) / (double)stats.HeadSeries:N0} bytes per series 10 s after the push (GC {(GCSettings.IsServerGC ? "server" : "workstation")})");
        await store.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>bench/metrics/Loader's values: counters that grow by 10 x rate give or take 4, gauges that wander.</summary>
    private static double Value(int s, long step) => (s / Instances) % 2 == 0
        ? step * (1 + s % 7) * 10 + Noise(s, step) % 5
        : Math.Round(50 + 20 * Math.Sin(step / 40.0 + s) + Noise(s, step) % 100 / 100.0, 2);

    private static uint Noise(int s, long step)
    {
        var x = (ulong)s * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xC2B2AE3D27D4EB4FUL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        return (uint)(x >> 32);
    }

    private static long Rss()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static long Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed class NullAppender : Vigil.Metrics.Storage.ISampleAppender
    {
        public void Append(Labels labels, long timestampMs, double value)
        {
        }

        public ValueTask<Vigil.Metrics.Storage.AppendResult> CommitAsync(CancellationToken cancellationToken = default) => default;
    }
}
