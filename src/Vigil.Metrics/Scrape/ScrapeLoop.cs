using Vigil.Metrics.Exposition;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.Scrape;

/// <summary>The outcome of one scrape, as the targets page shows it.</summary>
/// <param name="Time">When the scrape started; the timestamp of its samples.</param>
/// <param name="Error">Why the target is down, or null when it is up.</param>
/// <param name="Duration">How long fetching and parsing took.</param>
/// <param name="Batch">What was appended.</param>
/// <param name="Appended">What the store accepted.</param>
public sealed record ScrapeReport(DateTimeOffset Time, string? Error, TimeSpan Duration, ScrapeBatch Batch, AppendResult Appended)
{
    /// <summary>Whether the scrape succeeded (<c>up</c> is 1).</summary>
    public bool Up => Error is null;
}

/// <summary>
/// Scrapes one target: fetch, parse, decide with <see cref="ScrapeBatch"/>, append and commit.
/// Remembers the previous scrape's series to write staleness markers. One scrape at a time.
/// </summary>
public sealed class ScrapeLoop
{
    private readonly HttpClient http;
    private readonly Func<ISampleAppender> appender;
    private readonly TimeProvider time;
    private readonly MemoryStream body = new();
    private LabelStringCache cache = new();
    private IReadOnlySet<Labels> previous = new HashSet<Labels>();

    /// <summary>Creates a loop; <paramref name="appender"/> is called once per scrape for a new batch.</summary>
    public ScrapeLoop(ScrapeTarget target, HttpClient http, Func<ISampleAppender> appender, TimeProvider time)
    {
        Target = target;
        this.http = http;
        this.appender = appender;
        this.time = time;
    }

    /// <summary>The target scraped.</summary>
    public ScrapeTarget Target { get; }

    /// <summary>The last scrape's outcome, or null before the first.</summary>
    public ScrapeReport? LastReport { get; private set; }

    /// <summary>Why the store refused the last scrape's samples, or null.</summary>
    public string? LastAppendError { get; private set; }

    /// <summary>The metric family metadata of the last successful scrape.</summary>
    public IReadOnlyList<MetricMetadata> Metadata { get; private set; } = [];

    /// <summary>Scrapes now. A failure of the target is reported (<c>up</c> 0), not thrown; cancellation is thrown.</summary>
    public async Task<ScrapeReport> ScrapeOnceAsync(CancellationToken cancellationToken = default)
    {
        var start = time.GetUtcNow();
        var started = time.GetTimestamp();
        var ms = start.ToUnixTimeMilliseconds();
        ScrapeBatch batch;
        try
        {
            var result = await FetchAndParseAsync(cancellationToken).ConfigureAwait(false);
            batch = ScrapeBatch.ForSuccess(result.Samples, Target, ms, previous);
            if (batch.Error is null)
            {
                Metadata = result.Metadata;
            }
        }
        catch (Exception e) when (e is ScrapeFailedException or HttpRequestException or ExpositionException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            batch = ScrapeBatch.ForFailure(ms, previous, e.Message);
        }
        var duration = time.GetElapsedTime(started);
        var app = appender();
        foreach (var s in batch.Samples.Concat(batch.Report(Target, ms, duration)))
        {
            app.Append(s.Labels, s.TimestampMs, s.Value);
        }
        var appended = await app.CommitAsync(cancellationToken).ConfigureAwait(false);
        previous = batch.Series;
        LastReport = new ScrapeReport(start, batch.Error, duration, batch, appended);
        return LastReport;
    }

    /// <summary>Marks every series of the last scrape and the report series stale, for a target that went away.</summary>
    public async Task WriteStaleMarkersAsync(CancellationToken cancellationToken = default)
    {
        if (LastReport is null)
        {
            return;
        }
        // After the last scrape, even one that ran in this same millisecond (a marker at its
        // timestamp would be refused as a duplicate and the series would look alive for 5 minutes).
        var ms = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), LastReport.Time.ToUnixTimeMilliseconds() + 1);
        var app = appender();
        foreach (var s in ScrapeBatch.ForFailure(ms, previous, "target removed").Samples.Concat(ScrapeBatch.StaleReport(Target, ms)))
        {
            app.Append(s.Labels, s.TimestampMs, s.Value);
        }
        await app.CommitAsync(cancellationToken).ConfigureAwait(false);
        previous = new HashSet<Labels>();
    }

    /// <summary>Scrapes on the target's schedule (<see cref="ScrapeSchedule"/>) until cancelled.</summary>
    public async Task RunAsync(ulong jitterSeed, CancellationToken cancellationToken)
    {
        var interval = Target.Config.Interval;
        var next = ScrapeSchedule.FirstScrapeAt(time.GetUtcNow(), interval, Target.Hash() ^ jitterSeed);
        try
        {
            while (true)
            {
                await time.DelayUntilAsync(next, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await ScrapeOnceAsync(cancellationToken).ConfigureAwait(false);
                    LastAppendError = null;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store failed, not the target: keep scraping, and show why on the targets page.
                    LastAppendError = e.Message;
                }
                next = ScrapeSchedule.NextScrapeAt(next, time.GetUtcNow(), interval);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Carries the previous loop's series and label cache over a config reload, so no false staleness is written.</summary>
    internal void TakeStateFrom(ScrapeLoop old)
    {
        previous = old.previous;
        cache = old.cache;
        LastReport = old.LastReport;
        Metadata = old.Metadata;
    }

    private async Task<ExpositionResult> FetchAndParseAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Target.Config.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        string? contentType;
        try
        {
            contentType = await FetchMetrics.FetchAsync(http, Target, body, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ScrapeFailedException($"scrape timed out after {ScrapeTarget.GoDuration(Target.Config.Timeout)}");
        }
        var format = ExpositionFormats.FromContentType(contentType);
        return ExpositionParser.Parse(body.GetBuffer().AsSpan(0, (int)body.Length), format, cache);
    }
}
