using BenchmarkDotNet.Attributes;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.Benchmarks;

/// <summary>Gorilla encoding and decoding of one full 120-sample chunk of a counter.</summary>
[MemoryDiagnoser]
public class ChunkBenchmarks
{
    private const int Samples = XorChunkWriter.TargetSamples;
    private Sample[] samples = [];
    private byte[] chunk = [];

    /// <summary>Builds the samples and one encoded chunk.</summary>
    [GlobalSetup]
    public void Setup()
    {
        samples = [.. Enumerable.Range(0, Samples).Select(i => new Sample(Workload.Time(1_700_000_000_000, i, 0), Workload.Value(0, i)))];
        chunk = XorChunkWriter.Encode(samples);
    }

    /// <summary>Encodes the chunk; reported per sample.</summary>
    [Benchmark(OperationsPerInvoke = Samples)]
    public byte[] Encode() => XorChunkWriter.Encode(samples);

    /// <summary>Decodes the chunk; reported per sample.</summary>
    [Benchmark(OperationsPerInvoke = Samples)]
    public List<Sample> Decode() => XorChunkReader.Decode(chunk);
}
