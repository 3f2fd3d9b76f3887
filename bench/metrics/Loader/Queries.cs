using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Vigil.Bench.Metrics;

/// <summary>
/// Times the fixed query set through the HTTP query API, one request at a time. With several
/// systems, their requests alternate (A, B, A, B...) so that both see the same machine load.
/// </summary>
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

    /// <summary>Prints a JSON array with one array of results per system, in the order given.</summary>
    public static async Task<int> RunAsync(HttpClient http, IReadOnlyList<(string Base, string? Token)> systems, long endMs, int reps)
    {
        var end = (endMs / 1000.0).ToString(CultureInfo.InvariantCulture);
        var start = (endMs / 1000.0 - 3600).ToString(CultureInfo.InvariantCulture);
        var results = systems.Select(_ => new List<object>()).ToArray();
        var failed = false;
        foreach (var query in Set)
        {
            var q = Uri.EscapeDataString(query);
            foreach (var (kind, path) in new[]
            {
                ("instant", $"/api/v1/query?query={q}&time={end}"),
                ("range", $"/api/v1/query_range?query={q}&start={start}&end={end}&step={RangeStepSeconds}"),
            })
            {
                var times = systems.Select(_ => new List<double>()).ToArray();
                var series = systems.Select(_ => -1).ToArray();
                var errors = new string?[systems.Count];
                for (var i = 0; i < Warmup + reps; i++)
                {
                    for (var k = 0; k < systems.Count; k++)
                    {
                        if (errors[k] is not null)
                        {
                            continue;
                        }
                        using var request = new HttpRequestMessage(HttpMethod.Get, systems[k].Base + path);
                        if (systems[k].Token is { } token)
                        {
                            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                        }
                        var sw = Stopwatch.StartNew();
                        using var response = await http.SendAsync(request);
                        var body = await response.Content.ReadAsByteArrayAsync();
                        sw.Stop();
                        if (!response.IsSuccessStatusCode)
                        {
                            errors[k] = $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}";
                            continue;
                        }
                        if (i >= Warmup)
                        {
                            times[k].Add(sw.Elapsed.TotalMilliseconds);
                        }
                        if (series[k] < 0)
                        {
                            using var doc = JsonDocument.Parse(body);
                            series[k] = doc.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
                        }
                    }
                }
                for (var k = 0; k < systems.Count; k++)
                {
                    failed |= errors[k] is not null;
                    times[k].Sort();
                    results[k].Add(new
                    {
                        query,
                        kind,
                        series = series[k],
                        reps = times[k].Count,
                        median_ms = times[k].Count == 0 ? double.NaN : Percentile(times[k], 0.5),
                        p99_ms = times[k].Count == 0 ? double.NaN : Percentile(times[k], 0.99),
                        error = errors[k],
                    });
                }
            }
        }
        Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        return failed ? 1 : 0;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
