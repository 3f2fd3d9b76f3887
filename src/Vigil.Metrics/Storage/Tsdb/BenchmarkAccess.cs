using System.Runtime.CompilerServices;

// The storage benchmarks measure chunk encoding directly (bench/Vigil.Metrics.Benchmarks).
[assembly: InternalsVisibleTo("Vigil.Metrics.Benchmarks")]
