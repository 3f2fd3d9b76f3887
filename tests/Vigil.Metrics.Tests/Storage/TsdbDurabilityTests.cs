using System.Globalization;
using Vigil.Metrics.RemoteWrite;
using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

public class TsdbDurabilityTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private static readonly Labels Cpu = Labels.Of("__name__", "cpu_seconds_total", "host", "a");
    private static readonly Labels Mem = Labels.Of("__name__", "memory_bytes", "host", "a");

    public void Dispose() => dir.Dispose();

    private static TsdbOptions Options => Manual() with { RetentionTime = TimeSpan.FromDays(36_500) };

    [Fact]
    public async Task Committed_samples_survive_a_crash_without_shutdown()
    {
        var live = dir.Sub("live");
        var crashed = dir.Sub("crashed");
        await using (var store = TsdbStore.Open(live, Options))
        {
            await WriteAsync(store, (Cpu, 1000, 1.5), (Mem, 1000, 1024));
            await WriteAsync(store, (Cpu, 2000, Sample.StaleNaN));
            CopyDirectory(live, crashed); // the store is still open: nothing was flushed on shutdown
        }

        await using var reopened = TsdbStore.Open(crashed, Options);

        Assert.Equal([1000L, 2000], SamplesOf(reopened, Cpu).Select(s => s.TimestampMs));
        Assert.True(Sample.IsStaleNaN(SamplesOf(reopened, Cpu)[1].Value));
        Assert.Equal(1024, SamplesOf(reopened, Mem).Single().Value);
        Assert.Equal(0, reopened.GetStats().WalCorruptionsRepairedTotal);
    }

    [Fact]
    public async Task A_reopened_store_keeps_accepting_samples_in_order_and_rejects_older_ones()
    {
        await using (var store = TsdbStore.Open(dir.Path, Options))
        {
            await WriteAsync(store, (Cpu, 1000, 1), (Cpu, 2000, 2));
        }
        await using (var store = TsdbStore.Open(dir.Path, Options))
        {
            var result = await WriteAsync(store, (Cpu, 1500, 9), (Cpu, 3000, 3), (Mem, 500, 1));
            Assert.Equal(new Vigil.Metrics.Storage.AppendResult(2, 1, 0, 0), result);
        }
        await using var last = TsdbStore.Open(dir.Path, Options);

        Assert.Equal([1000L, 2000, 3000], SamplesOf(last, Cpu).Select(s => s.TimestampMs));
        Assert.Equal(2, last.GetStats().HeadSeries);
    }

    [Fact]
    public async Task A_torn_last_record_is_cut_off_and_everything_before_it_is_kept()
    {
        var segment = await WriteTwoBatchesAndCrash();
        var length = new FileInfo(segment).Length;
        using (var fs = new FileStream(segment, FileMode.Open))
        {
            fs.SetLength(length - 5); // the crash hit mid-write
        }

        await using var store = TsdbStore.Open(dir.Sub("crashed"), Options);

        Assert.Equal([1000L], SamplesOf(store, Cpu).Select(s => s.TimestampMs));
        var stats = store.GetStats();
        Assert.Equal(1, stats.WalCorruptionsRepairedTotal);
        Assert.True(stats.WalBytesDroppedTotal > 0);
        await WriteAsync(store, (Cpu, 3000, 3));
        Assert.Equal([1000L, 3000], SamplesOf(store, Cpu).Select(s => s.TimestampMs));
    }

    [Fact]
    public async Task A_flipped_byte_in_the_last_record_is_detected_by_its_checksum()
    {
        var segment = await WriteTwoBatchesAndCrash();
        var bytes = File.ReadAllBytes(segment);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(segment, bytes);

        await using (var store = TsdbStore.Open(dir.Sub("crashed"), Options))
        {
            Assert.Equal([1000L], SamplesOf(store, Cpu).Select(s => s.TimestampMs));
            Assert.Equal(1, store.GetStats().WalCorruptionsRepairedTotal);
        }
        await using var again = TsdbStore.Open(dir.Sub("crashed"), Options);

        Assert.Equal(0, again.GetStats().WalCorruptionsRepairedTotal); // repaired on disk the first time
        Assert.Equal([1000L], SamplesOf(again, Cpu).Select(s => s.TimestampMs));
    }

    [Fact]
    public async Task Garbage_in_place_of_a_log_does_not_stop_the_store_from_opening()
    {
        var wal = Path.Combine(dir.Path, "wal");
        Directory.CreateDirectory(wal);
        File.WriteAllBytes(Path.Combine(wal, "00000001"), [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 7))]);

        await using var store = TsdbStore.Open(dir.Path, Options);

        Assert.Empty(All(store));
        Assert.Equal(1000, store.GetStats().WalBytesDroppedTotal);
    }

    [Fact]
    public async Task Samples_spread_over_many_small_segments_are_all_replayed()
    {
        var options = Options with { WalSegmentSizeBytes = 4096 };
        await using (var store = TsdbStore.Open(dir.Path, options))
        {
            for (var i = 0; i < 500; i++)
            {
                await WriteAsync(store, (Cpu, i * 1000L, i), (Labels.Of("__name__", "s", "i", (i % 50).ToString(System.Globalization.CultureInfo.InvariantCulture)), i * 1000L, i));
            }
        }
        Assert.True(Directory.GetFiles(Path.Combine(dir.Path, "wal")).Length > 3);

        await using var reopened = TsdbStore.Open(dir.Path, options);

        Assert.Equal(500, SamplesOf(reopened, Cpu).Count);
        Assert.Equal(51, All(reopened).Count);
    }

    [Fact]
    public async Task Four_bytes_flipped_in_an_older_segment_cost_only_the_rest_of_that_segment_and_the_cut_is_kept_aside()
    {
        var options = Options with { WalSegmentSizeBytes = 4096 };
        var other = Labels.Of("__name__", "born_later", "host", "a");
        await using (var store = TsdbStore.Open(dir.Path, options))
        {
            for (var i = 0; i < 600; i++)
            {
                await WriteAsync(store, (Cpu, i * 1000L, i));
            }
        }
        var segments = Directory.GetFiles(Path.Combine(dir.Path, "wal")).Order(StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length >= 4, $"{segments.Length} segments");
        var second = File.ReadAllBytes(segments[1]);
        var middle = second.Length / 2;
        for (var b = middle; b < middle + 4; b++)
        {
            second[b] ^= 0xFF;
        }
        File.WriteAllBytes(segments[1], second);
        var later = segments.Skip(2).Sum(s => new FileInfo(s).Length);

        await using (var reopened = TsdbStore.Open(dir.Path, options))
        {
            var kept = SamplesOf(reopened, Cpu).Select(s => (long)s.Value).ToList();
            var firstLost = Enumerable.Range(0, 600).First(i => !kept.Contains(i));
            var lost = Enumerable.Range(0, 600).Except(kept.Select(v => (int)v)).ToList();
            // Only a stretch of the damaged segment is lost: everything before it and every later segment replays.
            Assert.Equal(Enumerable.Range(firstLost, lost.Count), lost);
            Assert.InRange(lost.Count, 1, 4096 / 20);
            Assert.Contains(599, kept.Select(v => (int)v));
            var damage = Assert.Single(reopened.WalDamage);
            Assert.Equal(segments[1], damage.File);
            Assert.False(damage.TornTail);
            Assert.InRange(damage.Offset, 1, middle);
            Assert.Equal(second.Length - damage.Offset, damage.Bytes);
            Assert.Equal(second.AsSpan((int)damage.Offset).ToArray(), File.ReadAllBytes(damage.MovedTo!)); // kept, not deleted
            Assert.Equal(later, segments.Skip(2).Sum(s => new FileInfo(s).Length));
            Assert.Equal(1, reopened.GetStats().WalCorruptionsRepairedTotal);
            Assert.Equal(0, reopened.GetStats().WalUnknownSeriesSamplesTotal);
            await WriteAsync(reopened, (other, 700_000, 1));
        }

        // Repaired on disk: the next start finds nothing new to cut, and keeps what it kept.
        await using var again = TsdbStore.Open(dir.Path, options);
        Assert.Empty(again.WalDamage);
        Assert.Single(SamplesOf(again, other));
        Assert.Contains(599.0, SamplesOf(again, Cpu).Select(s => s.Value));
    }

    [Fact]
    public async Task Samples_whose_series_record_was_cut_are_counted_not_misplaced()
    {
        var options = Options with { WalSegmentSizeBytes = 4096 };
        await using (var store = TsdbStore.Open(dir.Path, options))
        {
            await WriteAsync(store, (Cpu, 1000, 1));
        }
        await using (var store = TsdbStore.Open(dir.Path, options))
        {
            await WriteAsync(store, (Mem, 1000, 1)); // a new segment: Mem's series record, then its samples
            await WriteAsync(store, (Mem, 2000, 2));
        }
        await using (var store = TsdbStore.Open(dir.Path, options))
        {
            await WriteAsync(store, (Mem, 3000, 3)); // a third segment refers to Mem by its id only
        }
        var segments = Directory.GetFiles(Path.Combine(dir.Path, "wal")).Order(StringComparer.Ordinal).ToArray();
        var second = segments.First(s => new FileInfo(s).Length > 0 && s != segments[0]);
        var bytes = File.ReadAllBytes(second);
        bytes[WalFrameHeader + 2] ^= 0xFF; // inside the first frame: Mem's series record
        File.WriteAllBytes(second, bytes);

        await using var reopened = TsdbStore.Open(dir.Path, options);

        Assert.Single(SamplesOf(reopened, Cpu));
        Assert.Empty(SamplesOf(reopened, Mem));
        Assert.Equal(1, reopened.GetStats().WalUnknownSeriesSamplesTotal);
    }

    private const int WalFrameHeader = 8;

    /// <summary>Writes two commits, copies the directory as a crash would leave it, and returns the copy's WAL segment.</summary>
    private async Task<string> WriteTwoBatchesAndCrash()
    {
        var live = dir.Sub("live");
        await using var store = TsdbStore.Open(live, Options);
        await WriteAsync(store, (Cpu, 1000, 1));
        await WriteAsync(store, (Cpu, 2000, 2));
        CopyDirectory(live, dir.Sub("crashed"));
        return Directory.GetFiles(Path.Combine(dir.Sub("crashed"), "wal")).Single();
    }

    [Fact]
    public async Task Concurrent_remote_write_commits_to_shared_and_own_series_lose_no_sample_and_all_replay_after_a_crash()
    {
        const int writers = 8, requests = 25, perRequest = 40;
        var live = dir.Sub("live");
        var crashed = dir.Sub("crashed");
        var shared = Labels.Of("__name__", "shared_total", "job", "w");
        // The shared series gets interleaved timestamps from every writer, so the window lets it take them in any order.
        var options = Options with { OutOfOrderTimeWindow = TimeSpan.FromHours(1) };
        await using (var store = TsdbStore.Open(live, options))
        {
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                for (var r = 0; r < requests; r++)
                {
                    var entries = new List<TimeSeries>();
                    for (var i = 0; i < perRequest; i++)
                    {
                        var own = Labels.Of("__name__", "own_total", "writer", w.ToString(CultureInfo.InvariantCulture), "series", i.ToString(CultureInfo.InvariantCulture));
                        entries.Add(new TimeSeries(own, [new Sample(r * 1000L, r)]));
                    }
                    entries.Add(new TimeSeries(shared, [new Sample((r * writers + w) * 10L, w)]));
                    var appender = store.Appender();
                    RemoteWriteDecoder.DecodeInto(RemoteWriteEncoder.Encode(new WriteRequest(entries, [])), appender);
                    var result = await appender.CommitAsync();
                    Assert.Equal(perRequest + 1, result.Appended);
                }
            })));

            Assert.Equal(writers * requests * (perRequest + 1), store.GetStats().SamplesAppendedTotal);
            AssertAllThere(store);
            CopyDirectory(live, crashed); // the store is still open: only what the WAL holds survives
        }

        await using var reopened = TsdbStore.Open(crashed, options);

        AssertAllThere(reopened);
        Assert.Equal(0, reopened.GetStats().WalCorruptionsRepairedTotal);

        void AssertAllThere(TsdbStore store)
        {
            var all = All(store);
            Assert.Equal(writers * perRequest + 1, all.Count);
            var sharedSamples = all.Single(s => s.Labels.Equals(shared)).Samples;
            Assert.Equal(Enumerable.Range(0, writers * requests).Select(i => i * 10L), sharedSamples.Select(s => s.TimestampMs));
            Assert.All(all.Where(s => !s.Labels.Equals(shared)), s =>
                Assert.Equal(Enumerable.Range(0, requests).Select(r => r * 1000L), s.Samples.Select(x => x.TimestampMs)));
        }
    }
}
