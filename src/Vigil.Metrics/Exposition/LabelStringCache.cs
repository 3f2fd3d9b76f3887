using System.Text;
using System.Text.Unicode;

namespace Vigil.Metrics.Exposition;

/// <summary>
/// Turns UTF-8 label names and values into strings, returning the same string instance for bytes
/// seen before, so that parsing a target's exposition scrape after scrape allocates almost no new
/// strings. A bounded direct-mapped table: a colliding entry replaces the older one. Not thread-safe:
/// keep one per scrape target.
/// </summary>
public sealed class LabelStringCache
{
    private const int MaxCachedLength = 256;
    private readonly Entry[] entries;
    private readonly int mask;

    /// <summary>Creates a cache with room for about <paramref name="capacity"/> strings (rounded up to a power of two).</summary>
    public LabelStringCache(int capacity = 4096)
    {
        var size = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        entries = new Entry[size];
        mask = size - 1;
    }

    /// <summary>The string for <paramref name="utf8"/>, or null when the bytes are not valid UTF-8.</summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }
        if (utf8.Length > MaxCachedLength)
        {
            return Utf8.IsValid(utf8) ? Encoding.UTF8.GetString(utf8) : null;
        }
        var hc = new HashCode();
        hc.AddBytes(utf8);
        var hash = hc.ToHashCode();
        ref var entry = ref entries[hash & mask];
        if (entry.Hash == hash && entry.Bytes is not null && utf8.SequenceEqual(entry.Bytes))
        {
            return entry.Value;
        }
        if (!Utf8.IsValid(utf8))
        {
            return null;
        }
        var value = Encoding.UTF8.GetString(utf8);
        entry = new Entry(hash, utf8.ToArray(), value);
        return value;
    }

    private readonly record struct Entry(int Hash, byte[]? Bytes, string Value);
}
