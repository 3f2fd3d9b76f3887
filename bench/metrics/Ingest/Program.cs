using BenchmarkDotNet.Running;
using Vigil.Bench.Metrics.Ingest;

BenchmarkSwitcher.FromAssembly(typeof(RemoteWriteIngestBenchmarks).Assembly).Run(args);
