using BenchmarkDotNet.Attributes;
using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.Benchmarks;

/// <summary>Committing one scrape of 100,000 series (one sample each, one fsynced commit) into a TsdbStore.</summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int SeriesCount = 100_000;
    private readonly string directory = Path.Combine(Path.GetTempPath(), "vigil-bench-" + Guid.NewGuid().ToString("N"));
    private Labels[] series = [];
    private TsdbStore store = null!;
    private int scrape;

    /// <summary>Opens a store and creates all series with a first scrape, so the benchmark measures steady-state appends.</summary>
    [GlobalSetup]
    public void Setup()
    {
        series = Workload.Series(SeriesCount);
        store = TsdbStore.Open(directory, new TsdbOptions { MaintenanceInterval = null, RetentionTime = TimeSpan.FromDays(36_500) });
        CommitScrape();
    }

    /// <summary>Closes and deletes the store.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>One scrape of every series in one commit; reported per sample.</summary>
    [Benchmark(OperationsPerInvoke = SeriesCount)]
    public void CommitScrape()
    {
        var app = store.Appender();
        for (var i = 0; i < series.Length; i++)
        {
            app.Append(series[i], Workload.Time(0, scrape, i), Workload.Value(i, scrape));
        }
        app.CommitAsync().AsTask().GetAwaiter().GetResult();
        scrape++;
    }
}
