using System.Globalization;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>What <see cref="TsdbCheck.Run"/> found: what it read, and each piece of damage in words.</summary>
public sealed record TsdbCheckReport(int Segments, int Checkpoints, long Records, int Blocks, long Series, long Chunks, IReadOnlyList<string> Damage, IReadOnlyList<string> Notes)
{
    /// <summary>True when nothing is damaged (notes do not count).</summary>
    public bool Clean => Damage.Count == 0;
}

/// <summary>
/// Verifies a store's files offline, changing nothing (<c>vigil metrics check DATA</c>): every WAL
/// frame of the newest checkpoint and the segments after it decodes and matches its checksum,
/// every block's metadata and index read, every chunk matches its checksum. Unlike opening the
/// store, nothing is cut, moved or repaired; the newest segment's torn tail (what a crash leaves,
/// never acknowledged) is a note, not damage.
/// </summary>
public static class TsdbCheck
{
    /// <summary>Checks the store in <paramref name="directory"/> (the one holding <c>wal/</c> and <c>blocks/</c>), read-only.</summary>
    public static TsdbCheckReport Run(string directory)
    {
        var damage = new List<string>();
        var notes = new List<string>();
        long records = 0;
        var wal = Path.Combine(directory, "wal");
        var checkpoints = System.IO.Directory.Exists(wal) ? WalFiles.Checkpoints(wal) : [];
        var segments = System.IO.Directory.Exists(wal) ? WalFiles.Segments(wal) : [];
        var covered = 0;
        if (checkpoints.Count > 0)
        {
            var (index, path) = checkpoints[^1];
            covered = index;
            records += CheckFrames(Path.Combine(path, "00000000"), torn: false, damage, notes);
        }
        var live = segments.Where(s => s.Index > covered).ToList();
        for (var i = 0; i < live.Count; i++)
        {
            records += CheckFrames(live[i].Path, torn: i == live.Count - 1, damage, notes);
        }

        var blocks = 0;
        long series = 0, chunks = 0;
        var blocksDir = Path.Combine(directory, "blocks");
        IEnumerable<string> blockPaths = System.IO.Directory.Exists(blocksDir) ? System.IO.Directory.EnumerateDirectories(blocksDir).Order(StringComparer.Ordinal) : [];
        foreach (var path in blockPaths)
        {
            if (path.EndsWith(".tmp", StringComparison.Ordinal) || path.EndsWith(DamageLedger.SetAsideSuffix, StringComparison.Ordinal))
            {
                notes.Add($"{path}: skipped ({(path.EndsWith(".tmp", StringComparison.Ordinal) ? "an unfinished compaction, removed at the next start" : "set aside as damaged")})");
                continue;
            }
            blocks++;
            Block block;
            try
            {
                block = Block.Open(path);
            }
            catch (Exception e) when (DamageLedger.IsUnreadable(e))
            {
                damage.Add($"{path}: the block does not open: {e.Message}");
                continue;
            }
            using (block)
            {
                foreach (var s in block.AllSeries())
                {
                    series++;
                    chunks += s.Chunks.Count;
                }
                damage.AddRange(block.DamagedChunks.Select(offset => $"{Path.Combine(path, "chunks")}: the chunk at byte {offset.ToString(CultureInfo.InvariantCulture)} fails its checksum"));
            }
        }
        return new TsdbCheckReport(live.Count, checkpoints.Count > 0 ? 1 : 0, records, blocks, series, chunks, damage, notes);
    }

    private static long CheckFrames(string file, bool torn, List<string> damage, List<string> notes)
    {
        var data = File.Exists(file) ? File.ReadAllBytes(file) : [];
        var decoded = new List<WalRecord>();
        var good = WalFiles.ReadFrames(data, decoded);
        if (good < data.Length)
        {
            var what = $"{file}: does not decode from byte {good.ToString(CultureInfo.InvariantCulture)} on ({(data.Length - good).ToString(CultureInfo.InvariantCulture)} bytes)";
            if (torn)
            {
                notes.Add(what + ": the newest segment's tail, as a crash (or a running server's unfinished write) leaves it; cut at the next start");
            }
            else
            {
                damage.Add(what);
            }
        }
        return decoded.Count;
    }
}
