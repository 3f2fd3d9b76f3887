using System.Numerics;
using System.Text;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>
/// Label sets of recently received series, found by a hash of their protobuf label fields, so a
/// series that arrives again (every few seconds, for as long as it lives) costs no strings, no
/// validation and no new <see cref="Labels"/>. A hit is checked against the bytes themselves:
/// the wire must hold exactly the set's labels, in its (sorted) order, with no empty value, so a
/// hit returns what decoding would have. A fixed table of references, two slots per hash and no
/// locks (a reference is written atomically; a lost race only costs a miss): 2 MiB, whatever the
/// number of series; beyond a quarter of a million active series, misses just become more common.
/// </summary>
internal sealed class WireLabels(int capacity)
{
    private readonly Labels?[] slots = new Labels?[capacity];
    private readonly int mask = capacity - 1;

    /// <summary>The table every decoder shares.</summary>
    public static WireLabels Shared { get; } = new(1 << 18);

    /// <summary>The cached label set whose wire form is <paramref name="fields"/> of <paramref name="message"/>, or null.</summary>
    public Labels? Find(int hash, ReadOnlySpan<byte> message, ReadOnlySpan<Range> fields)
    {
        var first = Volatile.Read(ref slots[hash & mask]);
        if (first is not null && Matches(first, message, fields))
        {
            return first;
        }
        var second = Volatile.Read(ref slots[Second(hash)]);
        return second is not null && Matches(second, message, fields) ? second : null;
    }

    /// <summary>Remembers a label set decoded and validated from the wire; the first empty slot of two, else the second.</summary>
    public void Add(int hash, Labels labels)
    {
        ref var first = ref slots[hash & mask];
        if (first is null)
        {
            Volatile.Write(ref first, labels);
        }
        else
        {
            Volatile.Write(ref slots[Second(hash)], labels);
        }
    }

    private int Second(int hash) => (int)BitOperations.RotateLeft((uint)hash, 16) & mask;

    /// <summary>Whether each field is exactly <c>name</c> (field 1) then <c>value</c> (field 2), equal to the set's label at that place.</summary>
    private static bool Matches(Labels labels, ReadOnlySpan<byte> message, ReadOnlySpan<Range> fields)
    {
        if (labels.Count != fields.Length)
        {
            return false;
        }
        var items = labels.AsSpan();
        for (var i = 0; i < fields.Length; i++)
        {
            var field = message[fields[i]];
            if (!TakeString(ref field, 0x0A, out var name) || !TakeString(ref field, 0x12, out var value) || !field.IsEmpty ||
                !Ascii.Equals(name, items[i].Name) || !Ascii.Equals(value, items[i].Value))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Takes a length-delimited field with the one-byte <paramref name="key"/> and a length under 128 or 16,384.</summary>
    private static bool TakeString(ref ReadOnlySpan<byte> data, byte key, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (data.Length < 2 || data[0] != key)
        {
            return false;
        }
        int length, header;
        if (data[1] < 0x80)
        {
            (length, header) = (data[1], 2);
        }
        else if (data.Length >= 3 && data[2] < 0x80)
        {
            (length, header) = ((data[1] & 0x7F) | (data[2] << 7), 3);
        }
        else
        {
            return false;
        }
        if (data.Length - header < length)
        {
            return false;
        }
        value = data.Slice(header, length);
        data = data[(header + length)..];
        return true;
    }
}
