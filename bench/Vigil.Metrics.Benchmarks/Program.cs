using BenchmarkDotNet.Running;
using Vigil.Metrics.Benchmarks;

if (args is ["footprint"])
{
    await Footprint.RunAsync();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(AppendBenchmarks).Assembly).Run(args);
