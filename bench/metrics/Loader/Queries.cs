using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Vigil.Bench.Metrics;

/// <summary>Times the fixed query set through the HTTP query API, one request at a time.</summary>
internal static class Queries
{
    private static readonly string[] Set =
    [
        "rate(bench_http_requests_total[5m])",
        "sum by (handler) (rate(bench_http_requests_total[5m]))",
        "histogram_quantile(0.95, sum by (le) (rate(bench_http_request_duration_seconds_bucket[5m])))",
    ];

    private const int RangeStepSeconds = 60;
    private const int Warmup = 2;

    public static async Task<int> RunAsync(HttpClient http, string baseUrl, long endMs, int reps)
    {
        var end = (endMs / 1000.0).ToString(CultureInfo.InvariantCulture);
        var start = (endMs / 1000.0 - 3600).ToString(CultureInfo.InvariantCulture);
        var results = new List<object>();
        var failed = false;
        foreach (var query in Set)
        {
            var q = Uri.EscapeDataString(query);
            foreach (var (kind, url) in new[]
            {
                ("instant", $"{baseUrl}/api/v1/query?query={q}&time={end}"),
                ("range", $"{baseUrl}/api/v1/query_range?query={q}&start={start}&end={end}&step={RangeStepSeconds}"),
            })
            {
                var times = new List<double>();
                var series = -1;
                string? error = null;
                for (var i = 0; i < Warmup + reps; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using var response = await http.GetAsync(url);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    sw.Stop();
                    if (!response.IsSuccessStatusCode)
                    {
                        error = $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}";
                        break;
                    }
                    if (i >= Warmup)
                    {
                        times.Add(sw.Elapsed.TotalMilliseconds);
                    }
                    if (series < 0)
                    {
                        using var doc = JsonDocument.Parse(body);
                        series = doc.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
                    }
                }
                failed |= error is not null;
                times.Sort();
                results.Add(new
                {
                    query,
                    kind,
                    series,
                    reps = times.Count,
                    median_ms = times.Count == 0 ? double.NaN : Percentile(times, 0.5),
                    p99_ms = times.Count == 0 ? double.NaN : Percentile(times, 0.99),
                    error,
                });
            }
        }
        Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        return failed ? 1 : 0;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
