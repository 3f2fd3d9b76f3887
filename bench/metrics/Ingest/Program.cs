using BenchmarkDotNet.Running;
using Vigil.Bench.Metrics.Ingest;

if (args is ["cpu", .. var rest])
{
    await CpuTime.RunAsync(rest is [var n] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(RemoteWriteIngestBenchmarks).Assembly).Run(args);
