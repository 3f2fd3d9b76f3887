using BenchmarkDotNet.Running;
using Vigil.Metrics.Benchmarks;

if (args is ["footprint"])
{
    await Footprint.RunAsync();
    return;
}
if (args is ["ingest", ..])
{
    await IngestFootprint.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8, args.Length > 2 ? args[2] : null);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(AppendBenchmarks).Assembly).Run(args);
