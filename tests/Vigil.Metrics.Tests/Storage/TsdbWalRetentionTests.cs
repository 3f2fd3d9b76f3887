using Microsoft.Extensions.Time.Testing;
using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

/// <summary>WAL segments a remote-write queue still needs survive checkpoints and reopening, and the WAL tail reads every sample from them.</summary>
public class TsdbWalRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = Now.ToUnixTimeMilliseconds();
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(Now);

    public void Dispose() => dir.Dispose();

    private static async Task WriteMinutelyAsync(TsdbStore store, long from, long to)
    {
        var app = store.Appender();
        for (var t = from; t <= to; t += Minute)
        {
            app.Append(Labels.Of("__name__", "requests_total", "instance", "a"), t, t);
            app.Append(Labels.Of("__name__", "requests_total", "instance", "b"), t, t);
        }
        await app.CommitAsync();
    }

    private static List<(Labels Labels, long T, double V)> ReadAll(string walDir, WalPosition from)
    {
        var read = new List<(Labels, long, double)>();
        using var tail = new WalTail(walDir, from);
        tail.Read(int.MaxValue, read);
        return read;
    }

    [Fact]
    public async Task A_checkpoint_keeps_the_segments_a_reader_still_needs_and_deletes_them_once_it_has_moved_on()
    {
        var path = dir.Sub("store");
        var walDir = Path.Combine(path, "wal");
        WalPosition? needed = null;
        await using (var store = TsdbStore.Open(path, Manual(clock)))
        {
            var start = new WalPosition(store.FirstSegmentOfProcess, 0);
            needed = start;
            store.RetainWalSegments(() => needed?.Segment);
            await WriteMinutelyAsync(store, T0 - 5 * Hour, T0);
            await store.RunMaintenanceAsync();
            Assert.Single(Directory.GetDirectories(walDir, "checkpoint.*"));
            Assert.True(File.Exists(Path.Combine(walDir, "00000001")), "the segment the reader has not read is kept");
        }

        // Reopened (as after a restart): the kept segment is not replayed twice, and still readable.
        await using (var store = TsdbStore.Open(path, Manual(clock)))
        {
            Assert.Equal(301, SamplesOf(store, Labels.Of("__name__", "requests_total", "instance", "a")).Count);
            var read = ReadAll(walDir, needed);
            Assert.Equal(602, read.Count);
            Assert.Equal(T0 - 5 * Hour, read.Where(r => r.Labels.Get("instance") == "b").Min(r => r.T));

            store.RetainWalSegments(() => store.FirstSegmentOfProcess);
            await WriteMinutelyAsync(store, T0 + Minute, T0 + 4 * Hour);
            clock.Advance(TimeSpan.FromHours(4));
            await store.RunMaintenanceAsync();
            Assert.False(File.Exists(Path.Combine(walDir, "00000001")), "once no reader needs it, the next checkpoint deletes it");
        }
    }
}
