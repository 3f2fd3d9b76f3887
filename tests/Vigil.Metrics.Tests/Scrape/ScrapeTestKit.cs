using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Vigil.Metrics.Scrape;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.Tests.Scrape;

/// <summary>A store that tells the test when a scrape committed, a fake clock and a plain HTTP client.</summary>
internal sealed class ScrapeTestKit : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public MemorySampleStore Store { get; } = new();

    public FakeTimeProvider Clock { get; } = new(Start);

    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = System.Net.DecompressionMethods.None });

    public Channel<AppendResult> Commits { get; } = Channel.CreateUnbounded<AppendResult>();

    public ISampleAppender Appender() => new SignalingAppender(Store.Appender(), Commits.Writer);

    public async Task<AppendResult> NextCommit() => await Commits.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public static ScrapeTarget Target(string address, ScrapeConfig? config = null)
    {
        config ??= new ScrapeConfig { JobName = "node", Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(5) };
        return ScrapeTarget.FromConfig(config with { StaticConfigs = [new StaticTargetGroup([address], Labels.Of("env", "test"))] }).Single();
    }

    /// <summary>Every stored sample as <c>labels value @ms</c>, sorted, with stale markers shown as <c>stale</c>.</summary>
    public IReadOnlyList<string> Dump(string metricName) =>
        [.. Store.Select(0, Start.AddDays(1).ToUnixTimeMilliseconds(), [LabelMatcher.Equal(Label.MetricName, metricName)])
            .SelectMany(s => s.Samples.Select(x => $"{s.Labels} {(Sample.IsStaleNaN(x.Value) ? "stale" : x.Value.ToString(CultureInfo.InvariantCulture))} @{x.TimestampMs - Start.ToUnixTimeMilliseconds()}"))
            .Order(StringComparer.Ordinal)];

    public void Dispose() => Http.Dispose();

    private sealed class SignalingAppender(ISampleAppender inner, ChannelWriter<AppendResult> commits) : ISampleAppender
    {
        public void Append(Labels labels, long timestampMs, double value) => inner.Append(labels, timestampMs, value);

        public async ValueTask<AppendResult> CommitAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.CommitAsync(cancellationToken);
            commits.TryWrite(result);
            return result;
        }
    }
}
