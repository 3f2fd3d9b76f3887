using Vigil.Metrics;
using Vigil.Metrics.RemoteWrite;

namespace Vigil.Bench.Metrics.Ingest;

/// <summary>
/// Remote-write bodies shaped as bench/metrics/Loader pushes them: 100,000 series x 30 samples at
/// 15 s, one sample per series entry, 2,000 entries a body, each of 8 senders owning a slice of the
/// series and sending its bodies step by step.
/// </summary>
internal static class Bodies
{
    public const int Series = 100_000;
    public const int Steps = 30;
    public const int Senders = 8;
    public const int Batch = 2_000;
    public const long StepMs = 15_000;

    /// <summary>A 2 h boundary, as run.sh starts its data.</summary>
    public const long StartMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    /// <summary>The bodies of each sender, in the order it sends them.</summary>
    public static List<byte[]>[] BySender()
    {
        var dataset = Dataset.Ingest(Series);
        var result = new List<byte[]>[Senders];
        Parallel.For(0, Senders, j =>
            result[j] = Encode(dataset, dataset.Series.Length * j / Senders, dataset.Series.Length * (j + 1) / Senders));
        return result;
    }

    /// <summary>The same bodies as one sender would send them: the senders' bodies taken in turn.</summary>
    public static List<byte[]> Interleaved(List<byte[]>[] bySender)
    {
        var result = new List<byte[]>();
        for (var i = 0; result.Count < bySender.Sum(b => b.Count); i++)
        {
            foreach (var bodies in bySender)
            {
                if (i < bodies.Count)
                {
                    result.Add(bodies[i]);
                }
            }
        }
        return result;
    }

    private static List<byte[]> Encode(Dataset dataset, int from, int to)
    {
        var bodies = new List<byte[]>();
        var entries = new List<TimeSeries>(Batch);
        for (var step = 0; step < Steps; step++)
        {
            var t = StartMs + step * StepMs;
            for (var s = from; s < to; s++)
            {
                entries.Add(new TimeSeries(dataset.Series[s], [new Sample(t, dataset.Value(s, step))]));
                if (entries.Count == Batch)
                {
                    bodies.Add(RemoteWriteEncoder.Encode(new WriteRequest(entries, [])));
                    entries.Clear();
                }
            }
        }
        if (entries.Count > 0)
        {
            bodies.Add(RemoteWriteEncoder.Encode(new WriteRequest(entries, [])));
        }
        return bodies;
    }
}
