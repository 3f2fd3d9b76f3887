using Vigil.Metrics;

namespace Vigil.Bench.Metrics;

/// <summary>
/// The benchmark's series and their values, computed from (series, step) alone so that any window
/// of the data can be generated again, identically, for either system.
/// </summary>
internal sealed class Dataset
{
    public required string Name { get; init; }
    public required Labels[] Series { get; init; }
    public required Func<int, long, double> Value { get; init; }

    /// <summary>
    /// 100,000 series like a fleet of node exporters: 50 metrics x 2,000 instances, half counters
    /// with uneven increments, half gauges that wander.
    /// </summary>
    public static Dataset Ingest(int count, string job = "node")
    {
        const int metrics = 50;
        var instances = Math.Max(1, count / metrics);
        var series = new Labels[metrics * instances];
        for (var m = 0; m < metrics; m++)
        {
            for (var i = 0; i < instances; i++)
            {
                var name = m % 2 == 0 ? $"node_bench_metric_{m:00}_total" : $"node_bench_metric_{m:00}";
                series[m * instances + i] = Labels.Of("__name__", name, "job", job, "instance", $"host-{i:0000}.bench.local:9100");
            }
        }
        return new Dataset
        {
            Name = job == "node" ? "ingest" : job,
            Series = series,
            Value = (s, step) => (s / instances) % 2 == 0 ? Counter(s, step, 1 + s % 7) : Gauge(s, step),
        };
    }

    /// <summary>
    /// The query data set: 10,000 request counters (1,000 pods x 10 handlers) and a 10-bucket latency
    /// histogram for each of the 1,000 pods (10,000 bucket series).
    /// </summary>
    public static Dataset Query()
    {
        string[] le = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];
        var series = new List<Labels>(20_000);
        for (var pod = 0; pod < 1_000; pod++)
        {
            for (var h = 0; h < 10; h++)
            {
                series.Add(Labels.Of("__name__", "bench_http_requests_total", "job", "api", "instance", $"pod-{pod:000}:8080", "handler", $"/api/v1/resource-{h}", "code", pod % 50 == 0 ? "500" : "200"));
            }
        }
        for (var pod = 0; pod < 1_000; pod++)
        {
            for (var b = 0; b < le.Length; b++)
            {
                series.Add(Labels.Of("__name__", "bench_http_request_duration_seconds_bucket", "job", "api", "instance", $"pod-{pod:000}:8080", "le", le[b]));
            }
        }
        return new Dataset
        {
            Name = "query",
            Series = [.. series],
            Value = (s, step) => s < 10_000
                ? Counter(s, step, 1 + s % 5)
                // Cumulative over le and over time: bucket b of pod p counts (b + 1) x its share.
                : Counter(s - 10_000 - (s - 10_000) % 10, step, 1 + (s / 10) % 3) * ((s - 10_000) % 10 + 1),
        };
    }

    /// <summary>A counter that grows by 10 x <paramref name="rate"/> per step, give or take 4.</summary>
    private static double Counter(int s, long step, int rate) => step * rate * 10 + Noise(s, step) % 5;

    private static double Gauge(int s, long step) => Math.Round(50 + 20 * Math.Sin(step / 40.0 + s) + Noise(s, step) % 100 / 100.0, 2);

    private static uint Noise(int s, long step)
    {
        var x = (ulong)s * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xC2B2AE3D27D4EB4FUL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        return (uint)(x >> 32);
    }
}
