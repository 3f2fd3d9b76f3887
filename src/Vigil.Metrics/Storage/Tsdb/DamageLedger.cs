using System.Globalization;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// Damage found in a block: an index or metadata that does not read (the whole block is moved
/// aside when the store opens) or a chunk whose checksum fails (its bytes are copied aside when a
/// read meets it; its samples are left out of answers and merges).
/// </summary>
/// <param name="Block">The block's directory name.</param>
/// <param name="What">What failed, in words.</param>
/// <param name="Offset">The chunk's offset in the block's <c>chunks</c> file; null for the index.</param>
/// <param name="KeptAs">The name under <c>damaged/</c> it was kept as; null when nothing could be kept (disk full).</param>
public sealed record BlockDamage(string Block, string What, long? Offset, string? KeptAs);

/// <summary>
/// The <c>damaged/</c> directory beside a store's WAL segments or blocks: damaged data is moved
/// there, never deleted, and each kept item (a name containing <c>@</c>) stays "unacknowledged" —
/// keeping <c>/api/health</c> degraded — until an operator acknowledges it. The acknowledged names
/// are listed one per line in <c>damaged/acknowledged</c>, so the state outlives restarts.
/// </summary>
internal static class DamageLedger
{
    public const string DamagedDirectory = "damaged";

    /// <summary>Ends the name of a kept item that needs nobody's attention (a torn WAL tail a crash left).</summary>
    public const string TornSuffix = ".torn";

    /// <summary>Ends the name of a block set aside in place, when it could not be moved into <c>damaged/</c>; never opened again.</summary>
    public const string SetAsideSuffix = ".damaged";

    /// <summary>Whether an exception from opening a block means its files do not read (damage), not a bug.</summary>
    public static bool IsUnreadable(Exception e) =>
        e is InvalidDataException or IOException or System.Text.Json.JsonException or KeyNotFoundException or FormatException or InvalidOperationException;

    private const string AcknowledgedFile = "acknowledged";

    /// <summary>The kept items under <paramref name="dir"/>/damaged nobody has acknowledged, oldest name first.</summary>
    public static IReadOnlyList<string> Unacknowledged(string dir)
    {
        var damaged = Path.Combine(dir, DamagedDirectory);
        if (!Directory.Exists(damaged))
        {
            return [];
        }
        var acknowledged = Acknowledged(damaged);
        return [.. Directory.EnumerateFileSystemEntries(damaged)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => n.Contains('@', StringComparison.Ordinal) && !n.EndsWith(TornSuffix, StringComparison.Ordinal) && !acknowledged.Contains(n))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Marks every kept item as seen (fsynced); returns those that were new.</summary>
    public static IReadOnlyList<string> Acknowledge(string dir)
    {
        var pending = Unacknowledged(dir);
        if (pending.Count == 0)
        {
            return pending;
        }
        using var file = new FileStream(Path.Combine(dir, DamagedDirectory, AcknowledgedFile), FileMode.Append, FileAccess.Write);
        file.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(pending.Select(p => p + "\n"))));
        file.Flush(flushToDisk: true);
        return pending;
    }

    /// <summary>Moves a block whose index or metadata does not read to <c>damaged/block-NAME@index</c>.</summary>
    public static BlockDamage SetAsideBlock(string storeDir, string blockPath, string what)
    {
        var name = Path.GetFileName(blockPath);
        var keptAs = $"block-{name}@index";
        try
        {
            Directory.CreateDirectory(Path.Combine(storeDir, DamagedDirectory));
            Directory.Move(blockPath, Path.Combine(storeDir, DamagedDirectory, keptAs));
        }
        catch (IOException)
        {
            // Cannot move it (another file system, disk full): rename in place so it is not opened again.
            keptAs = null;
            Directory.Move(blockPath, blockPath + SetAsideSuffix);
        }
        return new BlockDamage(name, what, null, keptAs);
    }

    /// <summary>Copies a chunk that fails its checksum to <c>damaged/block-NAME@chunk-OFFSET</c> (fsynced).</summary>
    public static BlockDamage KeepChunk(string storeDir, string blockPath, long offset, ReadOnlySpan<byte> bytes, string what)
    {
        var name = Path.GetFileName(blockPath);
        string? keptAs = $"block-{name}@chunk-{offset.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            Directory.CreateDirectory(Path.Combine(storeDir, DamagedDirectory));
            using var file = new FileStream(Path.Combine(storeDir, DamagedDirectory, keptAs), FileMode.Create, FileAccess.Write);
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            keptAs = null;
        }
        return new BlockDamage(name, what, offset, keptAs);
    }

    private static HashSet<string> Acknowledged(string damaged)
    {
        var path = Path.Combine(damaged, AcknowledgedFile);
        return File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0)] : [];
    }
}

/// <summary>Block damage found since the store opened, in order, with a hook for whoever reports it.</summary>
internal sealed class BlockDamageLog
{
    private readonly List<BlockDamage> found = [];

    /// <summary>Called once for each new find, on the thread that found it.</summary>
    public Action<BlockDamage>? Found { get; set; }

    public void Add(BlockDamage damage)
    {
        lock (found)
        {
            found.Add(damage);
        }
        Found?.Invoke(damage);
    }

    public IReadOnlyList<BlockDamage> Snapshot()
    {
        lock (found)
        {
            return [.. found];
        }
    }
}
