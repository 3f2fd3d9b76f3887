using System.Numerics;
using System.Text;
using System.Text.Unicode;

namespace Vigil.Metrics.Exposition;

/// <summary>
/// Turns UTF-8 label names and values into strings, returning the same string instance for bytes
/// seen before, so that parsing a target's exposition scrape after scrape allocates almost no new
/// strings. A bounded two-way table: each string may sit in one of two slots; when both are taken, the second is replaced. Not thread-safe:
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
        // Two-way: a string has two possible slots, so two strings that share one slot (the hash is
        // seeded per process) do not keep evicting each other on every line of a scrape.
        ref var first = ref entries[hash & mask];
        if (first.Hash == hash && first.Bytes is not null && utf8.SequenceEqual(first.Bytes))
        {
            return first.Value;
        }
        ref var second = ref entries[(int)BitOperations.RotateLeft((uint)hash, 16) & mask];
        if (second.Hash == hash && second.Bytes is not null && utf8.SequenceEqual(second.Bytes))
        {
            return second.Value;
        }
        if (!Utf8.IsValid(utf8))
        {
            return null;
        }
        var value = Encoding.UTF8.GetString(utf8);
        var entry = new Entry(hash, utf8.ToArray(), value);
        // An empty slot of the two if there is one; otherwise the second slot is replaced.
        if (first.Bytes is null)
        {
            first = entry;
        }
        else
        {
            second = entry;
        }
        return value;
    }

    private readonly record struct Entry(int Hash, byte[]? Bytes, string Value);
}
