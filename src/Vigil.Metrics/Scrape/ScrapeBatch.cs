using Vigil.Metrics.Exposition;

namespace Vigil.Metrics.Scrape;

/// <summary>One sample a scrape decided to append.</summary>
/// <param name="Labels">The final labels.</param>
/// <param name="TimestampMs">Milliseconds since the epoch.</param>
/// <param name="Value">The value; <see cref="Sample.StaleNaN"/> for a staleness marker.</param>
public readonly record struct ScrapedSample(Labels Labels, long TimestampMs, double Value);

/// <summary>What one scrape appends and remembers, decided by <see cref="ScrapeBatch.ForSuccess"/> or <see cref="ScrapeBatch.ForFailure"/>.</summary>
/// <param name="Samples">Samples to append: the scraped ones, then staleness markers.</param>
/// <param name="Series">Series to compare the next scrape with (those without an exposed timestamp).</param>
/// <param name="SamplesScraped">Samples in the exposition (<c>scrape_samples_scraped</c>).</param>
/// <param name="SamplesPostRelabeling">Samples left after metric relabelling (<c>scrape_samples_post_metric_relabeling</c>).</param>
/// <param name="SeriesAdded">Series not present in the previous scrape (<c>scrape_series_added</c>).</param>
/// <param name="Error">Why the scrape failed, or null when it succeeded.</param>
public sealed record ScrapeBatch(
    IReadOnlyList<ScrapedSample> Samples,
    IReadOnlySet<Labels> Series,
    int SamplesScraped,
    int SamplesPostRelabeling,
    int SeriesAdded,
    string? Error)
{
    /// <summary>
    /// The samples of a successful scrape, as Prometheus 2.42's scrape loop decides them: target
    /// labels merged (<c>honor_labels</c>), metric relabelling applied (dropped samples are not
    /// appended), the scrape time used unless <c>honor_timestamps</c> and the sample has its own,
    /// and a staleness marker at the scrape time for each series of the previous scrape that is
    /// gone. Series with an exposed timestamp are not tracked for staleness, as in Prometheus.
    /// A sample left without <c>__name__</c> fails the whole scrape.
    /// </summary>
    public static ScrapeBatch ForSuccess(IReadOnlyList<ExposedSample> exposed, ScrapeTarget target, long scrapeTimeMs, IReadOnlySet<Labels> previous)
    {
        var samples = new List<ScrapedSample>(exposed.Count + 8);
        var seen = new HashSet<Labels>();
        var added = 0;
        var kept = 0;
        foreach (var e in exposed)
        {
            var merged = TargetLabels.Merge(e.Labels, target.Labels, target.Config.HonorLabels);
            if (Relabeling.Process(merged, target.Config.MetricRelabelConfigs) is not { } labels)
            {
                continue;
            }
            if (!labels.Has(Label.MetricName))
            {
                return ForFailure(scrapeTimeMs, previous, "missing metric name (__name__ label)") with { SamplesScraped = exposed.Count };
            }
            kept++;
            var honored = target.Config.HonorTimestamps && e.TimestampMs is not null;
            samples.Add(new ScrapedSample(labels, honored ? e.TimestampMs!.Value : scrapeTimeMs, e.Value));
            if (!honored && seen.Add(labels) && !previous.Contains(labels))
            {
                added++;
            }
        }
        AddStaleMarkers(samples, previous, seen, scrapeTimeMs);
        return new ScrapeBatch(samples, seen, exposed.Count, kept, added, null);
    }

    /// <summary>A failed scrape is an empty one: every series of the previous scrape gets a staleness marker.</summary>
    public static ScrapeBatch ForFailure(long scrapeTimeMs, IReadOnlySet<Labels> previous, string error)
    {
        var samples = new List<ScrapedSample>(previous.Count);
        AddStaleMarkers(samples, previous, new HashSet<Labels>(), scrapeTimeMs);
        return new ScrapeBatch(samples, new HashSet<Labels>(), 0, 0, 0, error);
    }

    /// <summary>
    /// The report series Prometheus writes after every scrape, with the target's labels and the
    /// scrape time: <c>up</c>, <c>scrape_duration_seconds</c>, <c>scrape_samples_scraped</c>,
    /// <c>scrape_samples_post_metric_relabeling</c>, <c>scrape_series_added</c>.
    /// </summary>
    public IReadOnlyList<ScrapedSample> Report(ScrapeTarget target, long scrapeTimeMs, TimeSpan duration) =>
    [
        ReportSample("up", target, scrapeTimeMs, Error is null ? 1 : 0),
        ReportSample("scrape_duration_seconds", target, scrapeTimeMs, duration.TotalSeconds),
        ReportSample("scrape_samples_scraped", target, scrapeTimeMs, SamplesScraped),
        ReportSample("scrape_samples_post_metric_relabeling", target, scrapeTimeMs, SamplesPostRelabeling),
        ReportSample("scrape_series_added", target, scrapeTimeMs, SeriesAdded),
    ];

    /// <summary>The report series with staleness markers, written when a target goes away.</summary>
    public static IReadOnlyList<ScrapedSample> StaleReport(ScrapeTarget target, long timeMs) =>
        [.. ReportNames.Select(n => ReportSample(n, target, timeMs, Sample.StaleNaN))];

    private static readonly string[] ReportNames =
        ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"];

    private static ScrapedSample ReportSample(string name, ScrapeTarget target, long timeMs, double value) =>
        new(target.Labels.With(Label.MetricName, name), timeMs, value);

    private static void AddStaleMarkers(List<ScrapedSample> samples, IReadOnlySet<Labels> previous, HashSet<Labels> seen, long timeMs)
    {
        foreach (var series in previous)
        {
            if (!seen.Contains(series))
            {
                samples.Add(new ScrapedSample(series, timeMs, Sample.StaleNaN));
            }
        }
    }
}
