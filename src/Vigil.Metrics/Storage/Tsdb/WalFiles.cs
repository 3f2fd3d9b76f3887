using System.Buffers.Binary;
using System.Globalization;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>What reading a log found: its records, and what each torn or corrupt stretch cost.</summary>
internal sealed record WalReadResult(IReadOnlyList<WalRecord> Records, IReadOnlyList<WalDamage> Damage)
{
    public int Corruptions => Damage.Count;

    public long DroppedBytes => Damage.Sum(d => d.Bytes);
}

/// <summary>
/// A stretch of the write-ahead log that did not decode when the store opened.
/// </summary>
/// <param name="File">The segment or checkpoint it was found in.</param>
/// <param name="Offset">Where the first bad frame starts.</param>
/// <param name="Bytes">How many bytes were cut from there to the end of that file.</param>
/// <param name="MovedTo">Where those bytes were kept (<c>wal/damaged/</c>), for inspection; null when nothing could be kept.</param>
/// <param name="TornTail">True for the end of the newest segment, where a crash cuts a write short;
/// false for damage inside an older segment or a checkpoint, which only the disk explains.</param>
public sealed record WalDamage(string File, long Offset, long Bytes, string? MovedTo, bool TornTail);

/// <summary>
/// Naming, framing and crash repair of WAL segments and checkpoints. A frame is a little-endian
/// u32 payload length, a u32 CRC-32C of the payload, then the payload. Reading a file stops at
/// the first frame that is short, has an impossible length, a wrong checksum or an undecodable
/// payload: that is where a crash cut the write (or the disk rotted). The file is truncated there
/// and the cut bytes are moved to <c>wal/damaged/</c>, never deleted. Unlike Prometheus's
/// <c>wlog.Repair</c>, which deletes every later segment, the later segments are still replayed:
/// damage costs at most the rest of its own segment. Samples in them whose series record was in
/// the cut stretch cannot be placed and are counted (<see cref="TsdbStats.WalUnknownSeriesSamplesTotal"/>).
/// </summary>
internal static class WalFiles
{
    public const int FrameHeaderSize = 8;
    private const string CheckpointPrefix = "checkpoint.";

    public static string SegmentPath(string dir, int index) => Path.Combine(dir, index.ToString("D8", CultureInfo.InvariantCulture));

    public static string CheckpointPath(string dir, int index) => Path.Combine(dir, CheckpointPrefix + index.ToString("D8", CultureInfo.InvariantCulture));

    public static IReadOnlyList<(int Index, string Path)> Segments(string dir) =>
        [.. Directory.EnumerateFiles(dir)
            .Select(p => (Ok: int.TryParse(Path.GetFileName(p), NumberStyles.None, CultureInfo.InvariantCulture, out var i), Index: i, Path: p))
            .Where(x => x.Ok && Path.GetFileName(x.Path).Length == 8)
            .Select(x => (x.Index, x.Path))
            .OrderBy(x => x.Index)];

    public static IReadOnlyList<(int Index, string Path)> Checkpoints(string dir) =>
        [.. Directory.EnumerateDirectories(dir, CheckpointPrefix + "*")
            .Select(p => (Ok: int.TryParse(Path.GetFileName(p)[CheckpointPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var i), Index: i, Path: p))
            .Where(x => x.Ok)
            .Select(x => (x.Index, x.Path))
            .OrderBy(x => x.Index)];

    /// <summary>Appends a frame around the payload that <paramref name="writePayload"/> writes.</summary>
    public static void Frame(ByteSink sink, Action<ByteSink> writePayload)
    {
        var start = sink.Length;
        sink.Reserve(FrameHeaderSize);
        writePayload(sink);
        var payload = sink.Span[(start + FrameHeaderSize)..];
        sink.PatchUInt32(start, (uint)payload.Length);
        sink.PatchUInt32(start + 4, Crc32C.Compute(payload));
    }

    /// <summary>Decodes frames until the end or the first bad one; returns the offset where good data ends.</summary>
    public static int ReadFrames(ReadOnlySpan<byte> data, List<WalRecord> into)
    {
        var offset = 0;
        while (offset < data.Length && TryReadFrame(data[offset..], out var record, out var length))
        {
            into.Add(record);
            offset += length;
        }
        return offset;
    }

    /// <summary>
    /// Decodes the frame at the start of <paramref name="data"/>; false when it is short, has an
    /// impossible length, a wrong checksum or an undecodable payload (a torn or still-being-written tail).
    /// </summary>
    public static bool TryReadFrame(ReadOnlySpan<byte> data, out WalRecord record, out int frameLength)
    {
        record = null!;
        frameLength = 0;
        if (data.Length < FrameHeaderSize)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (length == 0 || length > data.Length - FrameHeaderSize)
        {
            return false;
        }
        var payload = data.Slice(FrameHeaderSize, (int)length);
        if (Crc32C.Compute(payload) != crc)
        {
            return false;
        }
        try
        {
            record = WalRecords.Decode(payload);
        }
        catch (InvalidDataException)
        {
            return false;
        }
        frameLength = FrameHeaderSize + (int)length;
        return true;
    }

    /// <summary>
    /// Reads the newest complete checkpoint and the segments after it, repairing a damaged tail in
    /// place. Older checkpoints and unfinished <c>.tmp</c> checkpoints are removed. Segments the
    /// checkpoint covers are skipped, not deleted: they are still there only because a remote-write
    /// queue had not sent them yet (<see cref="TsdbStore.RetainWalSegments"/>), and the next
    /// checkpoint deletes those no queue needs.
    /// </summary>
    public static WalReadResult ReadAndRepair(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var tmp in Directory.EnumerateDirectories(dir, "*.tmp"))
        {
            Directory.Delete(tmp, recursive: true);
        }
        var records = new List<WalRecord>();
        var damage = new List<WalDamage>();
        var checkpoints = Checkpoints(dir);
        var covered = 0;
        if (checkpoints.Count > 0)
        {
            var (index, path) = checkpoints[^1];
            covered = index;
            foreach (var old in checkpoints.Take(checkpoints.Count - 1))
            {
                Directory.Delete(old.Path, recursive: true);
            }
            var file = Path.Combine(path, "00000000");
            var data = File.Exists(file) ? File.ReadAllBytes(file) : [];
            var good = ReadFrames(data, records);
            if (good < data.Length)
            {
                // A checkpoint is fsynced before it is renamed into place, so this is disk damage: keep what decodes.
                damage.Add(CutAside(dir, file, $"checkpoint.{index:D8}", data, good, tornTail: false));
            }
        }
        var segments = Segments(dir);
        for (var i = 0; i < segments.Count; i++)
        {
            var (index, path) = segments[i];
            if (index <= covered)
            {
                continue;
            }
            var data = File.ReadAllBytes(path);
            var good = ReadFrames(data, records);
            if (good < data.Length)
            {
                // Every segment but the newest was fsynced whole before the next one began (WalLog.Rotate).
                damage.Add(CutAside(dir, path, Path.GetFileName(path), data, good, tornTail: i == segments.Count - 1));
            }
        }
        return new WalReadResult(records, damage);
    }

    /// <summary>Copies <paramref name="data"/> from <paramref name="good"/> on into <c>damaged/</c> (fsynced), then truncates the file there.</summary>
    private static WalDamage CutAside(string dir, string path, string name, byte[] data, int good, bool tornTail)
    {
        string? movedTo = Path.Combine(dir, DamageLedger.DamagedDirectory, $"{name}@{good.ToString(CultureInfo.InvariantCulture)}{(tornTail ? DamageLedger.TornSuffix : "")}");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(movedTo)!);
            using var aside = new FileStream(movedTo, FileMode.Create, FileAccess.Write);
            aside.Write(data.AsSpan(good));
            aside.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            movedTo = null; // a full disk must not stop the store from opening; the damage is still reported
        }
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            fs.SetLength(good);
            fs.Flush(flushToDisk: true);
        }
        return new WalDamage(path, good, data.Length - good, movedTo, tornTail);
    }
}
