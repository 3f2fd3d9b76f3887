using System.Globalization;

namespace Vigil.Metrics.Benchmarks;

/// <summary>Series and values that look like a scrape of many targets: half counters, half gauges.</summary>
internal static class Workload
{
    public const long ScrapeIntervalMs = 15_000;

    public static Labels[] Series(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Labels.Of(
            "__name__", i % 2 == 0 ? "http_requests_total" : "process_resident_memory_bytes",
            "job", "job-" + (i % 20).ToString(CultureInfo.InvariantCulture),
            "instance", "host-" + (i / 100).ToString(CultureInfo.InvariantCulture) + ":9100",
            "handler", "/api/v1/item/" + (i % 100).ToString(CultureInfo.InvariantCulture)))];

    /// <summary>The value of series <paramref name="series"/> at scrape <paramref name="scrape"/>: counters grow by small integers, gauges wander.</summary>
    public static double Value(int series, int scrape)
    {
        var noise = (uint)((series * 2654435761u) ^ (scrape * 40503u)) % 100;
        return series % 2 == 0
            ? (double)scrape * (series % 7 + 1) + noise / 10
            : 100_000_000 + Math.Round(Math.Sin(scrape / 10.0 + series) * 1_000_000 + noise * 1000);
    }

    /// <summary>Scrape timestamps jitter by a few milliseconds, as real scrapes do.</summary>
    public static long Time(long start, int scrape, int series) => start + scrape * ScrapeIntervalMs + (series + scrape) % 5;
}
