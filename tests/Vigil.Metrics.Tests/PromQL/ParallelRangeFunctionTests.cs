using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage.Tsdb;
using Vigil.Metrics.Tests.Storage;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.PromQL;

/// <summary>
/// A range function over many series is stepped on every core, a block of series each: the answer
/// is the one a series at a time gives (the same series in the same order, the same values to the
/// bit), and its errors and statistics are those of the single-core path.
/// </summary>
public sealed class ParallelRangeFunctionTests : IAsyncLifetime
{
    private const int SeriesCount = 300;
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = Now.ToUnixTimeMilliseconds();
    private readonly TempDirectory dir = new();
    private TsdbStore store = null!;

    public async Task InitializeAsync()
    {
        store = TsdbStore.Open(dir.Path, Manual());
        var random = new Random(300);
        var app = store.Appender();
        for (var i = 0; i < SeriesCount; i++)
        {
            var labels = Labels.Of("__name__", "x", "i", i.ToString("D3"), "kind", i % 3 == 0 ? "gauge" : "counter");
            // Some series start late, some stop early, some end in a staleness marker: windows without samples.
            var from = i % 7 == 0 ? T0 - 30 * Minute : T0 - 3 * Hour;
            var to = i % 11 == 0 ? T0 - 40 * Minute : T0;
            var value = 0.0;
            for (var t = from; t <= to; t += 15_000)
            {
                value = i % 3 == 0 ? random.NextDouble() * 100 : random.Next(50) == 0 ? 0 : value + random.Next(20);
                app.Append(labels, t, value);
            }
            if (i % 13 == 0)
            {
                app.Append(labels, to + 15_000, BitConverter.Int64BitsToDouble(0x7ff0000000000002));
            }
        }
        await app.CommitAsync();
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        dir.Dispose();
    }

    [Theory]
    [InlineData("rate(x[5m])")]
    [InlineData("max_over_time(x[3m])")]
    [InlineData("quantile_over_time(0.9, x[10m])")]
    [InlineData("predict_linear(x[10m], 300)")]
    [InlineData("last_over_time(x[5m] offset 7m)")]
    [InlineData("rate(x[5m:1m])")]
    public void Every_series_gets_the_points_it_gets_alone(string query)
    {
        var engine = new PromQLEngine();
        var all = engine.RangeQuery(store, query, T0 - 2 * Hour, T0, Minute);
        var alone = new List<(string Labels, List<Sample> Points)>();
        for (var i = 0; i < SeriesCount; i++)
        {
            var one = engine.RangeQuery(store, query.Replace("x[", $"x{{i=\"{i:D3}\"}}[", StringComparison.Ordinal), T0 - 2 * Hour, T0, Minute);
            alone.AddRange(one.Series.Select(s => (s.Labels.ToString(), s.Points.ToList())));
        }
        Assert.True(alone.Count > 2 * 64, "the query must select enough series to be divided among cores");
        Assert.Equal(alone.Select(s => s.Labels), all.Series.Select(s => s.Labels.ToString()));
        for (var k = 0; k < alone.Count; k++)
        {
            Assert.Equal(alone[k].Points.Select(p => p.TimestampMs), all.Series[k].Points.Select(p => p.TimestampMs));
            Assert.Equal(alone[k].Points.Select(p => BitConverter.DoubleToInt64Bits(p.Value)), all.Series[k].Points.Select(p => BitConverter.DoubleToInt64Bits(p.Value)));
        }
    }

    [Theory]
    [InlineData("sum by (kind) (rate(x[5m]))", "sum by (kind) (rate(x[5m]) * 1)")]
    [InlineData("avg(max_over_time(x[3m]))", "avg(max_over_time(x[3m]) * 1)")]
    [InlineData("topk(3, sum by (i) (rate(x[5m])))", "topk(3, sum by (i) (rate(x[5m]) * 1))")]
    public void An_aggregation_adds_the_series_up_in_their_order_to_the_bit(string query, string wholeVector)
    {
        // The range query takes the function's points series by series as the blocks come in; the
        // reference is the instant query at each step, which aggregates the function's whole result
        // (times one: the same values) in series order.
        var engine = new PromQLEngine();
        var range = engine.RangeQuery(store, query, T0 - 2 * Hour, T0, Minute);
        Assert.NotEmpty(range.Series);
        for (var at = T0 - 2 * Hour; at <= T0; at += Minute)
        {
            var expected = ((VectorValue)engine.InstantQuery(store, wholeVector, at)).Samples
                .Select(s => $"{s.Labels} {BitConverter.DoubleToInt64Bits(s.Value):x}").Order(StringComparer.Ordinal);
            var actual = range.Series.SelectMany(s => s.Points.Where(p => p.TimestampMs == at).Select(p => $"{s.Labels} {BitConverter.DoubleToInt64Bits(p.Value):x}"))
                .Order(StringComparer.Ordinal);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void The_samples_loaded_are_counted_once_per_window_as_on_one_core()
    {
        var engine = new PromQLEngine();
        var loaded = new List<long>();
        engine.QueryCompleted += stats => loaded.Add(stats.SamplesLoaded);
        engine.RangeQuery(store, "rate(x[5m])", T0 - 2 * Hour, T0, Minute);
        for (var i = 0; i < SeriesCount; i++)
        {
            engine.RangeQuery(store, $"rate(x{{i=\"{i:D3}\"}}[5m])", T0 - 2 * Hour, T0, Minute);
        }
        Assert.True(loaded[0] > 0);
        Assert.Equal(loaded.Skip(1).Sum(), loaded[0]);
    }

    [Fact]
    public void Too_many_samples_fails_with_the_engines_own_error()
    {
        // One window of one series holds 21 samples; every window is checked against the limit.
        var engine = new PromQLEngine(new PromQLEngineOptions { MaxSamples = 20 });
        var e = Assert.Throws<PromQLEvaluationException>(() => engine.RangeQuery(store, "rate(x[5m])", T0 - 2 * Hour, T0, Minute));
        Assert.Contains("too many samples", e.Message);
    }

    [Fact]
    public void A_cancelled_query_stops_with_a_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var e = Assert.ThrowsAny<OperationCanceledException>(() =>
            new PromQLEngine().RangeQuery(store, "rate(x[5m])", T0 - 2 * Hour, T0, Minute, cancelled.Token));
        Assert.Equal(cancelled.Token, e.CancellationToken);
    }
}
