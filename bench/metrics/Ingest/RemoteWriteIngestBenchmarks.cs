using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Vigil.Metrics.RemoteWrite;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Bench.Metrics.Ingest;

/// <summary>
/// The whole of bench/metrics' ingest phase without HTTP: 100,000 new series x 30 samples, as 1,500
/// pre-encoded remote-write bodies, each decoded and committed (WAL fsync included) into a fresh
/// TsdbStore the way <c>POST /prometheus/api/v1/write</c> does. Reported per sample.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RemoteWriteIngestBenchmarks
{
    private const int Samples = Bodies.Series * Bodies.Steps;
    private List<byte[]>[] bySender = [];
    private List<byte[]> interleaved = [];
    private string directory = "";
    private TsdbStore store = null!;

    [GlobalSetup]
    public void Setup()
    {
        bySender = Bodies.BySender();
        interleaved = Bodies.Interleaved(bySender);
    }

    [IterationSetup]
    public void OpenStore()
    {
        directory = Path.Combine(Path.GetTempPath(), "vigil-bench-ingest-" + Guid.NewGuid().ToString("N"));
        store = TsdbStore.Open(directory, new TsdbOptions { MaintenanceInterval = null, RetentionTime = TimeSpan.FromDays(36_500) });
    }

    [IterationCleanup]
    public void DeleteStore()
    {
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>One writer sends every body, one after the other.</summary>
    [Benchmark(OperationsPerInvoke = Samples)]
    public async Task OneWriter()
    {
        foreach (var body in interleaved)
        {
            await WriteAsync(store, body);
        }
    }

    /// <summary>Eight writers at once, each sending its own slice of the series, as the Loader's senders do.</summary>
    [Benchmark(OperationsPerInvoke = Samples)]
    public Task EightWriters() => Task.WhenAll(bySender.Select(bodies => Task.Run(async () =>
    {
        foreach (var body in bodies)
        {
            await WriteAsync(store, body);
        }
    })));

    /// <summary>What the endpoint (src/Vigil/Features/Metrics/ReceiveRemoteWrite.cs) does with a body once it is read.</summary>
    private static async Task WriteAsync(ISampleStore store, byte[] body)
    {
        var appender = store.Appender();
        RemoteWriteDecoder.DecodeInto(body, appender);
        var result = await appender.CommitAsync();
        if (result.Rejected > 0)
        {
            throw new InvalidOperationException($"{result.Rejected} samples rejected");
        }
    }
}

/// <summary>Decoding alone: the 50 bodies of one step of the 100,000 series, reported per sample.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class RemoteWriteDecodeBenchmarks
{
    private List<byte[]> bodies = [];

    [GlobalSetup]
    public void Setup() => bodies = [.. Bodies.Interleaved(Bodies.BySender()).Take(Bodies.Series / Bodies.Batch)];

    [Benchmark(OperationsPerInvoke = Bodies.Series)]
    public int Decode()
    {
        var n = 0;
        foreach (var body in bodies)
        {
            n += RemoteWriteDecoder.Decode(body).Timeseries.Count;
        }
        return n;
    }
}

/// <summary>
/// Encoding alone, as the remote-write queue does before each send (<c>metrics.remote_write</c>):
/// the 50 requests of one step of the 100,000 series, protobuf plus snappy, reported per sample.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class RemoteWriteEncodeBenchmarks
{
    private List<WriteRequest> requests = [];

    [GlobalSetup]
    public void Setup() => requests = [.. Bodies.Interleaved(Bodies.BySender()).Take(Bodies.Series / Bodies.Batch).Select(b => RemoteWriteDecoder.Decode(b))];

    [Benchmark(OperationsPerInvoke = Bodies.Series)]
    public int Encode()
    {
        var n = 0;
        foreach (var request in requests)
        {
            n += RemoteWriteEncoder.Encode(request).Length;
        }
        return n;
    }
}
