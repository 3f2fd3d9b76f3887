using Microsoft.Extensions.Time.Testing;
using Vigil.Metrics.Storage.Tsdb;
using static Vigil.Metrics.Tests.Storage.TsdbTestKit;

namespace Vigil.Metrics.Tests.Storage;

/// <summary>
/// Damage in a block costs that block (an index that does not read) or that chunk (a checksum that
/// fails), never the store: the rest stays queryable, the damage is kept aside in <c>damaged/</c>,
/// counted, and listed as unacknowledged until an operator acknowledges it.
/// </summary>
public sealed class TsdbBlockDamageTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = Now.ToUnixTimeMilliseconds();
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(Now);

    public void Dispose() => dir.Dispose();

    private static Labels Job(int i) => Labels.Of("__name__", "requests_total", "instance", "host-" + i);

    /// <summary>Five hours of minutely samples of three series, compacted into two blocks; returns the blocks' directories, oldest first.</summary>
    private async Task<string[]> TwoBlocksAsync()
    {
        await using var store = TsdbStore.Open(dir.Path, Manual(clock));
        var app = store.Appender();
        for (var t = T0 - (5 * Hour); t <= T0; t += Minute)
        {
            for (var i = 0; i < 3; i++)
            {
                app.Append(Job(i), t, i);
            }
        }
        await app.CommitAsync();
        await store.RunMaintenanceAsync();
        Assert.Equal(2, store.GetStats().Blocks);
        // Oldest first by the range in meta.json: the names (UUIDv7 on a fake clock) do not order them.
        return [.. Directory.GetDirectories(Path.Combine(dir.Path, "blocks"))
            .OrderBy(b => System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(b, "meta.json"))).RootElement.GetProperty("minTime").GetInt64())];
    }

    private static void Flip(string file, long at)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = at;
        var b = stream.ReadByte();
        stream.Position = at;
        stream.WriteByte((byte)(b ^ 0xFF));
    }

    [Fact]
    public async Task A_block_whose_index_does_not_read_is_moved_aside_and_the_store_opens_with_the_rest()
    {
        var blocks = await TwoBlocksAsync();
        var index = Path.Combine(blocks[0], "index");
        Flip(index, new FileInfo(index).Length / 2);

        await using var store = TsdbStore.Open(dir.Path, Manual(clock));

        Assert.Equal(1, store.GetStats().Blocks);
        Assert.Equal(1, store.GetStats().BlockCorruptionsTotal);
        var damage = Assert.Single(store.BlockDamage);
        Assert.Contains("does not open", damage.What);
        Assert.Contains("checksum", damage.What);
        var kept = $"block-{Path.GetFileName(blocks[0])}@index";
        Assert.Equal(kept, damage.KeptAs);
        Assert.True(File.Exists(Path.Combine(dir.Path, "damaged", kept, "index")), "the whole block is kept, not deleted");
        Assert.Equal([kept], store.UnacknowledgedBlockDamage());
        // The head and the other block still answer: the last three hours are whole.
        Assert.Equal(181, store.Select(T0 - (3 * Hour), T0, [LabelMatcher.Equal("instance", "host-1")]).Single().Samples.Count);
    }

    [Fact]
    public async Task A_chunk_that_fails_its_checksum_is_left_out_kept_aside_reported_once_and_acknowledged()
    {
        var blocks = await TwoBlocksAsync();
        var chunks = Path.Combine(blocks[1], "chunks");
        Flip(chunks, new FileInfo(chunks).Length - 6);
        await using var store = TsdbStore.Open(dir.Path, Manual(clock));
        var reported = new List<BlockDamage>();
        store.OnBlockDamage = reported.Add;

        var first = store.Select(T0 - (5 * Hour), T0, [LabelMatcher.Equal("__name__", "requests_total")]);
        var again = store.Select(T0 - (5 * Hour), T0, [LabelMatcher.Equal("__name__", "requests_total")]);

        // One series lost its chunk in the newer block; the others and the older block answer whole.
        Assert.Equal(3, first.Count);
        Assert.Equal(2, first.Count(s => s.Samples.Count == 301));
        Assert.Equal(first.Select(s => s.Samples.Count), again.Select(s => s.Samples.Count));
        var damage = Assert.Single(reported);
        Assert.Contains("fails its checksum", damage.What);
        Assert.Contains(chunks, damage.What);
        Assert.NotNull(damage.Offset);
        Assert.True(File.Exists(Path.Combine(dir.Path, "damaged", damage.KeptAs!)), "the chunk's bytes are kept");
        Assert.Equal(1, store.GetStats().BlockCorruptionsTotal);
        Assert.Equal([damage.KeptAs!], store.UnacknowledgedBlockDamage());

        Assert.Equal([damage.KeptAs!], store.AcknowledgeDamage());
        Assert.Empty(store.UnacknowledgedBlockDamage());
        Assert.Empty(store.AcknowledgeDamage());
    }
}
