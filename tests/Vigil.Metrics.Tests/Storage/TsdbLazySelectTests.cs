using Microsoft.Extensions.Time.Testing;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

/// <summary>
/// <see cref="TsdbStore.SelectLazy"/> (head chunks decoded as each series is read, into a buffer the
/// reader reuses) gives the samples <see cref="TsdbStore.Select"/> gives, and the engine's answers
/// over it are those over a <see cref="MemorySampleStore"/> with the same data.
/// </summary>
public class TsdbLazySelectTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = Now.ToUnixTimeMilliseconds(); // a multiple of 2 h
    private static readonly LabelMatcher[] AllRequests = [LabelMatcher.Equal("__name__", "requests_total")];
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(Now);

    public void Dispose() => dir.Dispose();

    private static Labels Job(int i) => Labels.Of("__name__", "requests_total", "instance", "host-" + i);

    /// <summary>
    /// Four series at 15 s for <paramref name="hours"/> up to T0 (several chunks each); host-1 has
    /// staleness markers, host-2 a gap, host-3 out-of-order samples appended afterwards.
    /// </summary>
    private static async Task<List<(Labels Labels, long T, double V)>> WriteAsync(TsdbStore store, int hours)
    {
        var written = new List<(Labels, long, double)>();
        var app = store.Appender();
        for (var t = T0 - hours * Hour; t <= T0; t += 15_000)
        {
            var step = (t - T0) / 15_000;
            for (var i = 0; i < 4; i++)
            {
                if (i == 2 && t > T0 - 50 * Minute && t < T0 - 20 * Minute)
                {
                    continue;
                }
                var v = i == 1 && step % 37 == 0 ? Sample.StaleNaN : step * (i + 1) + i % 3;
                if (i == 3 && step % 5 == 0)
                {
                    continue;
                }
                app.Append(Job(i), t, v);
                written.Add((Job(i), t, v));
            }
        }
        await app.CommitAsync();
        var late = store.Appender();
        for (var t = T0 - 30 * Minute; t < T0; t += 75_000)
        {
            late.Append(Job(3), t, -1);
            written.Add((Job(3), t, -1));
        }
        await late.CommitAsync();
        return written;
    }

    private static void AssertSameAsSelect(TsdbStore store, long minT, long maxT)
    {
        var eager = store.Select(minT, maxT, AllRequests);
        var lazy = store.SelectLazy(minT, maxT, AllRequests);
        var scratch = new List<Sample>();
        var read = lazy.Select(s => (s.Labels, Samples: s.Read(scratch).ToArray())).Where(s => s.Samples.Length > 0).ToList();
        Assert.Equal(eager.Select(s => s.Labels), read.Select(s => s.Labels));
        for (var i = 0; i < eager.Count; i++)
        {
            // Sample equality compares NaN bits, so staleness markers must come back as they are.
            Assert.Equal(eager[i].Samples, read[i].Samples);
        }
    }

    [Fact]
    public async Task Lazy_series_read_the_samples_select_returns_from_the_head_and_from_blocks()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock) with { OutOfOrderTimeWindow = TimeSpan.FromHours(1) });
        await WriteAsync(store, hours: 5);
        AssertSameAsSelect(store, T0 - 65 * Minute, T0);
        AssertSameAsSelect(store, T0 - 47 * Minute - 1, T0 - 21 * Minute + 1);

        await store.RunMaintenanceAsync();

        Assert.True(store.GetStats().Blocks > 0);
        AssertSameAsSelect(store, T0 - 65 * Minute, T0);
        AssertSameAsSelect(store, T0 - 4 * Hour, T0 - 90 * Minute);
    }

    [Theory]
    [InlineData("rate(requests_total[5m])")]
    [InlineData("sum by (instance) (count_over_time(requests_total[4m] offset 1m))")]
    [InlineData("requests_total")]
    [InlineData("max_over_time(rate(requests_total[5m])[20m:1m])")]
    public async Task Range_queries_over_the_store_answer_as_over_a_memory_store_with_the_same_data(string query)
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock) with { OutOfOrderTimeWindow = TimeSpan.FromHours(1) });
        var memory = new MemorySampleStore();
        var app = memory.Appender();
        foreach (var (labels, t, v) in await WriteAsync(store, hours: 2))
        {
            app.Append(labels, t, v);
        }
        await app.CommitAsync();
        var engine = new PromQLEngine();

        var expected = engine.RangeQuery(memory, query, T0 - Hour, T0, 60_000);
        var actual = engine.RangeQuery(store, query, T0 - Hour, T0, 60_000);

        Assert.NotEmpty(expected.Series);
        Assert.Equal(expected.Series.Select(s => s.Labels), actual.Series.Select(s => s.Labels));
        Assert.Equal(expected.Series.Select(s => s.Points.ToArray()), actual.Series.Select(s => s.Points.ToArray()));
    }
}
