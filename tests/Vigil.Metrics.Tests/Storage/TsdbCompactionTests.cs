using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

public class TsdbCompactionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = Now.ToUnixTimeMilliseconds(); // a multiple of 2 h
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(Now);

    public void Dispose() => dir.Dispose();

    private static Labels Job(int i) => Labels.Of("__name__", "requests_total", "instance", "host-" + i);

    private static async Task WriteMinutelyAsync(TsdbStore store, long from, long to, int series = 3)
    {
        var app = store.Appender();
        for (var t = from; t <= to; t += Minute)
        {
            for (var i = 0; i < series; i++)
            {
                app.Append(Job(i), t, (t - from) / Minute * (i + 1));
            }
        }
        await app.CommitAsync();
    }

    [Fact]
    public async Task Head_data_older_than_one_and_a_half_blocks_moves_to_blocks_and_queries_span_both()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock));
        await WriteMinutelyAsync(store, T0 - 5 * Hour, T0);

        await store.RunMaintenanceAsync();

        var stats = store.GetStats();
        Assert.Equal(2, stats.Blocks); // [T0-6h, T0-4h) and [T0-4h, T0-2h)
        Assert.Equal(2, stats.CompactionsTotal);
        Assert.Equal(T0 - 2 * Hour, stats.HeadMinTimeMs);
        var samples = SamplesOf(store, Job(2));
        Assert.Equal(301, samples.Count);
        Assert.Equal(Enumerable.Range(0, 301).Select(i => T0 - 5 * Hour + i * Minute), samples.Select(s => s.TimestampMs));
        Assert.Equal(Enumerable.Range(0, 301).Select(i => i * 3.0), samples.Select(s => s.Value));
        Assert.Equal(61, store.Select(T0 - 3 * Hour - 30 * Minute, T0 - 2 * Hour - 30 * Minute, [LabelMatcher.Equal("instance", "host-0")]).Single().Samples.Count);
    }

    [Fact]
    public async Task A_label_set_whose_series_moved_to_a_block_gets_a_new_head_series_when_it_comes_back()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock));
        var labels = Job(0); // one instance throughout, as a sender's cached label set is
        await WriteAsync(store, [.. Enumerable.Range(0, 181).Select(i => (labels, T0 - 8 * Hour + i * Minute, (double)i))]);
        await WriteAsync(store, (Job(1), T0, 1)); // the head reaches T0: hours -8 to -5 are old enough for blocks
        await store.RunMaintenanceAsync();
        Assert.Equal(1, store.GetStats().HeadSeries); // all of job 0 in blocks: its series left the head

        await WriteAsync(store, (labels, T0, 1000), (labels, T0 + Minute, 1001));

        Assert.Equal(2, store.GetStats().HeadSeries);
        var samples = SamplesOf(store, labels);
        Assert.Equal(183, samples.Count);
        Assert.Equal([1000.0, 1001.0], samples.TakeLast(2).Select(s => s.Value));
    }

    [Fact]
    public async Task After_compaction_the_wal_is_checkpointed_and_a_crash_copy_reopens_with_all_data()
    {
        var live = dir.Sub("live");
        await using var store = TsdbStore.Open(live, Manual(clock));
        await WriteMinutelyAsync(store, T0 - 5 * Hour, T0);
        await store.RunMaintenanceAsync();
        await WriteMinutelyAsync(store, T0 + Minute, T0 + 10 * Minute);

        var wal = Path.Combine(live, "wal");
        Assert.Single(Directory.GetDirectories(wal, "checkpoint.*"));
        Assert.DoesNotContain(Path.Combine(wal, "00000001"), Directory.GetFiles(wal));
        CopyDirectory(live, dir.Sub("crashed"));
        await using var reopened = TsdbStore.Open(dir.Sub("crashed"), Manual(clock));

        Assert.Equal(SamplesOf(store, Job(1)), SamplesOf(reopened, Job(1)));
        Assert.Equal(311, SamplesOf(reopened, Job(1)).Count);
        Assert.Equal(2, reopened.GetStats().Blocks);
        var more = await WriteAsync(reopened, (Job(1), T0 + 10 * Minute, 5), (Job(1), T0 + 11 * Minute, 1));
        Assert.Equal(new Vigil.Metrics.Storage.AppendResult(1, 0, 1, 0), more);
    }

    [Fact]
    public async Task Out_of_order_samples_are_merged_into_the_block_that_covers_them()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock) with { OutOfOrderTimeWindow = TimeSpan.FromHours(1) });
        await WriteMinutelyAsync(store, T0 - 4 * Hour, T0 - 2 * Hour - 10 * Minute, series: 1);
        var ooo = await WriteAsync(store, (Job(0), T0 - 2 * Hour - 30 * Minute - 30_000, 0.5), (Job(0), T0 - 2 * Hour - 45 * Minute - 30_000, 0.25));
        Assert.Equal(2, ooo.Appended);
        await WriteMinutelyAsync(store, T0, T0 + 10 * Minute, series: 1);

        await store.RunMaintenanceAsync();

        Assert.True(store.GetStats().Blocks >= 1);
        var samples = SamplesOf(store, Job(0));
        Assert.Equal(111 + 2 + 11, samples.Count);
        Assert.Equal(samples.OrderBy(s => s.TimestampMs).Select(s => s.TimestampMs), samples.Select(s => s.TimestampMs));
        Assert.Contains(new Sample(T0 - 2 * Hour - 30 * Minute - 30_000, 0.5), samples);
    }

    [Fact]
    public async Task Retention_deletes_blocks_once_all_their_samples_are_older_than_the_retention_time()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock));
        var day = 24 * Hour;
        await WriteMinutelyAsync(store, T0 - 16 * day, T0 - 16 * day + 3 * Hour, series: 1);
        await WriteMinutelyAsync(store, T0 - 10 * day, T0 - 10 * day + 3 * Hour, series: 1);
        await WriteAsync(store, (Job(1), T0, 1));

        await store.RunMaintenanceAsync();

        var stats = store.GetStats();
        Assert.Equal(2, stats.RetentionDeletedBlocksTotal); // both blocks of 16 days ago
        Assert.Equal(1, stats.Blocks); // the two of 10 days ago, merged into one 6 h block
        Assert.DoesNotContain(SamplesOf(store, Job(0)), s => s.TimestampMs < T0 - 15 * day);
        Assert.Contains(SamplesOf(store, Job(0)), s => s.TimestampMs == T0 - 10 * day);

        clock.Advance(TimeSpan.FromDays(6));
        await store.RunMaintenanceAsync();

        Assert.Equal(0, store.GetStats().Blocks);
        Assert.Empty(SamplesOf(store, Job(0)));
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir.Path, "blocks")));
    }

    [Fact]
    public async Task Retention_by_size_deletes_the_oldest_blocks_first()
    {
        await using (var store = TsdbStore.Open(dir.Path, Manual(clock)))
        {
            await WriteMinutelyAsync(store, T0 - 9 * Hour, T0);
            await store.RunMaintenanceAsync();
            Assert.Equal(3, store.GetStats().Blocks); // [-10h, -6h) merged, [-6h, -4h), [-4h, -2h)
        }

        await using var limited = TsdbStore.Open(dir.Path, Manual(clock) with { RetentionSizeBytes = 1 });
        await limited.RunMaintenanceAsync();

        Assert.Equal(0, limited.GetStats().Blocks);
        Assert.Equal(T0 - 2 * Hour, SamplesOf(limited, Job(0))[0].TimestampMs); // the head is all that is left
    }

    [Fact]
    public async Task The_maintenance_timer_runs_on_the_injected_clock()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock) with { MaintenanceInterval = TimeSpan.FromMinutes(1) });
        await WriteMinutelyAsync(store, T0 - 5 * Hour, T0);
        Assert.Equal(0, store.GetStats().Blocks);

        clock.Advance(TimeSpan.FromMinutes(1));

        var waited = Stopwatch.StartNew();
        while (store.GetStats().CompactionsTotal < 2 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Yield();
        }
        Assert.Equal(2, store.GetStats().Blocks);
    }

    [Fact]
    public async Task Small_blocks_are_merged_into_larger_ones_once_the_head_has_moved_past_their_range()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock));
        await WriteMinutelyAsync(store, T0 - 9 * Hour, T0);

        await store.RunMaintenanceAsync();

        var blocksOnDisk = Directory.GetDirectories(Path.Combine(dir.Path, "blocks"));
        Assert.Equal(3, blocksOnDisk.Length);
        Assert.Equal(5, store.GetStats().CompactionsTotal); // 4 blocks from the head, then [-10h, -8h) + [-8h, -6h) merged
        Assert.Equal(Enumerable.Range(0, 541).Select(i => T0 - 9 * Hour + i * Minute), SamplesOf(store, Job(1)).Select(s => s.TimestampMs));
    }

    [Fact]
    public async Task Backfilled_data_overlapping_a_block_is_merged_with_it_and_deduplicated()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock));
        await WriteMinutelyAsync(store, T0 - 5 * Hour, T0, series: 1);
        await store.RunMaintenanceAsync();
        Assert.Equal(2, store.GetStats().Blocks);

        var late = Labels.Of("__name__", "imported", "source", "csv");
        await WriteAsync(store, [.. Enumerable.Range(0, 60).Select(i => (late, T0 - 5 * Hour + i * Minute, (double)i))]);
        await store.RunMaintenanceAsync();

        Assert.Equal(2, store.GetStats().Blocks); // the late block overlapped [-6h, -4h) and was merged into it
        Assert.Equal(60, SamplesOf(store, late).Count);
        Assert.Equal(301, SamplesOf(store, Job(0)).Count);
    }

    [Fact]
    public async Task Queries_and_maintenance_run_safely_while_samples_are_appended()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock) with { OutOfOrderTimeWindow = TimeSpan.FromMinutes(30) });
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var t = T0 - 8 * Hour; t <= T0; t += 4 * Minute)
            {
                await WriteAsync(store, (Job(w), t, w), (Job(w), t - 2 * Minute, w)); // the second is out of order
            }
        })).ToList();
        var readers = Task.Run(async () =>
        {
            while (!writers.All(w => w.IsCompleted))
            {
                _ = store.Select(T0 - 9 * Hour, T0, [LabelMatcher.Equal("__name__", "requests_total")]);
                await store.RunMaintenanceAsync();
            }
        });

        await Task.WhenAll([.. writers, readers]);
        await store.RunMaintenanceAsync();

        var expected = Enumerable.Range(0, 121).SelectMany(i => new[] { T0 - 8 * Hour + i * 4 * Minute - 2 * Minute, T0 - 8 * Hour + i * 4 * Minute });
        Assert.All(Enumerable.Range(0, 4), w => Assert.Equal(expected, SamplesOf(store, Job(w)).Select(s => s.TimestampMs)));
        Assert.True(store.GetStats().Blocks > 0);
    }
}
