using Vigil.Metrics.Storage;
using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

public class TsdbAppendTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private static readonly Labels Up = Labels.Of("__name__", "up", "job", "api");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Committed_samples_are_queryable_with_staleness_markers_intact()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual());

        var result = await WriteAsync(store, (Up, 1000, 1), (Up, 2000, Sample.StaleNaN), (Up, 3000, double.NaN));

        Assert.Equal(new AppendResult(3, 0, 0, 0), result);
        var samples = SamplesOf(store, Up);
        Assert.Equal([1000L, 2000, 3000], samples.Select(s => s.TimestampMs));
        Assert.True(Sample.IsStaleNaN(samples[1].Value));
        Assert.False(Sample.IsStaleNaN(samples[2].Value));
    }

    [Fact]
    public async Task Without_an_out_of_order_window_older_samples_are_rejected_and_counted()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual());
        await WriteAsync(store, (Up, 10_000, 1));

        var result = await WriteAsync(store, (Up, 9_000, 2), (Up, 11_000, 3));

        Assert.Equal(new AppendResult(1, 1, 0, 0), result);
        Assert.Equal(1, store.GetStats().OutOfOrderRejectedTotal);
        Assert.Equal([10_000L, 11_000], SamplesOf(store, Up).Select(s => s.TimestampMs));
    }

    [Fact]
    public async Task Inside_the_out_of_order_window_older_samples_are_kept_and_merged_in_time_order()
    {
        var options = Manual() with { OutOfOrderTimeWindow = TimeSpan.FromMinutes(10) };
        await using var store = TsdbStore.Open(dir.Path, options);
        await WriteAsync(store, (Up, 20 * Minute, 1), (Up, 30 * Minute, 3));

        var result = await WriteAsync(store, (Up, 25 * Minute, 2), (Up, 20 * Minute, 1), (Up, 19 * Minute, 9), (Up, 21 * Minute, 4));

        Assert.Equal(new AppendResult(3, 1, 0, 0), result); // 19m is older than 30m - 10m
        Assert.Equal([20 * Minute, 21 * Minute, 25 * Minute, 30 * Minute], SamplesOf(store, Up).Select(s => s.TimestampMs));
        Assert.Equal(2, store.GetStats().OutOfOrderAcceptedTotal);
    }

    [Fact]
    public async Task A_different_value_at_an_existing_timestamp_is_a_duplicate_and_the_same_value_is_accepted()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual() with { OutOfOrderTimeWindow = TimeSpan.FromHours(1) });
        await WriteAsync(store, (Up, 1000, 1), (Up, 2000, 2), (Up, 3000, Sample.StaleNaN));

        var result = await WriteAsync(store, (Up, 3000, Sample.StaleNaN), (Up, 3000, 5), (Up, 2000, 2), (Up, 1000, 7));

        Assert.Equal(new AppendResult(2, 0, 2, 0), result);
        Assert.Equal([1.0, 2.0], SamplesOf(store, Up).Take(2).Select(s => s.Value));
    }

    [Fact]
    public async Task One_label_set_written_to_two_stores_lands_in_each_stores_own_series()
    {
        // The same instance, as the remote-write decoder's cache hands it to every store in the process.
        var shared = Labels.Of("__name__", "up", "job", "shared");
        await using var a = TsdbStore.Open(dir.Sub("a"), Manual());
        await using var b = TsdbStore.Open(dir.Sub("b"), Manual());

        await WriteAsync(a, (shared, 1000, 1));
        await WriteAsync(b, (shared, 1000, 10));
        await WriteAsync(a, (shared, 2000, 2));
        await WriteAsync(b, (shared, 2000, 20));
        await WriteAsync(b, (shared, 3000, 30));

        Assert.Equal([1.0, 2.0], SamplesOf(a, shared).Select(s => s.Value));
        Assert.Equal([10.0, 20.0, 30.0], SamplesOf(b, shared).Select(s => s.Value));
    }

    [Fact]
    public async Task A_closed_store_is_not_kept_in_memory_by_the_label_sets_that_found_its_series()
    {
        var labels = Labels.Of("__name__", "up", "job", "closing");
        var store = TsdbStore.Open(dir.Path, Manual());
        await WriteAsync(store, (labels, 1000, 1), (labels, 2000, 2));
        Assert.NotNull(labels.Series); // the hint the next sample would take

        await store.DisposeAsync();

        Assert.Null(labels.Series); // the decoder's process-wide cache keeps label sets, not the closed head
    }

    [Fact]
    public async Task Samples_without_a_metric_name_are_invalid()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual());

        var result = await WriteAsync(store, (Labels.Of("job", "api"), 1, 1));

        Assert.Equal(new AppendResult(0, 0, 0, 1), result);
    }

    [Fact]
    public async Task History_from_1970_can_be_imported_next_to_series_with_recent_data()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual());
        var recent = Labels.Of("__name__", "up", "job", "live");
        await WriteAsync(store, (recent, 1_700_000_000_000, 1));
        var history = Labels.Of("__name__", "temperature", "site", "old");

        var samples = Enumerable.Range(0, 1000).Select(i => (history, i * 60_000L, (double)i)).ToArray();
        var result = await WriteAsync(store, samples);

        Assert.Equal(1000, result.Appended);
        Assert.Equal(0L, SamplesOf(store, history)[0].TimestampMs);
        Assert.Equal(1000, SamplesOf(store, history).Count);
    }

    [Fact]
    public async Task Concurrent_commits_share_fsyncs_and_all_become_durable()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual());

        var tasks = Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await WriteAsync(store, (Labels.Of("__name__", "c", "worker", w.ToString(System.Globalization.CultureInfo.InvariantCulture)), i * 1000L, i));
            }
        }));
        await Task.WhenAll(tasks);

        var stats = store.GetStats();
        Assert.Equal(64 * 20, stats.SamplesAppendedTotal);
        Assert.True(stats.WalFsyncsTotal <= 64 * 20, $"{stats.WalFsyncsTotal} fsyncs");
        Assert.Equal(64, All(store).Count);
        Assert.All(All(store), s => Assert.Equal(20, s.Samples.Count));
    }
}
