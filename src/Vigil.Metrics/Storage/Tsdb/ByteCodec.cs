using System.Buffers.Binary;
using System.Text;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>A growable byte buffer with the varint and string encodings shared by the WAL and block index.</summary>
internal sealed class ByteSink(int capacity = 256)
{
    private byte[] buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public Span<byte> Reserve(int count)
    {
        if (Length + count > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, Length + count));
        }
        var span = buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public void Byte(byte b) => Reserve(1)[0] = b;

    public void UInt32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), v);

    public void UInt64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), v);

    public void Double(double v) => UInt64(BitConverter.DoubleToUInt64Bits(v));

    public void Uvarint(ulong v)
    {
        while (v >= 0x80)
        {
            Byte((byte)(v | 0x80));
            v >>= 7;
        }
        Byte((byte)v);
    }

    public void Varint(long v) => Uvarint(unchecked((ulong)((v << 1) ^ (v >> 63))));

    public void String(string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        Uvarint((ulong)n);
        Encoding.UTF8.GetBytes(s, Reserve(n));
    }

    public void Bytes(ReadOnlySpan<byte> data)
    {
        Uvarint((ulong)data.Length);
        data.CopyTo(Reserve(data.Length));
    }

    public void Raw(ReadOnlySpan<byte> data) => data.CopyTo(Reserve(data.Length));

    /// <summary>Patches a little-endian uint at <paramref name="offset"/>, for length/checksum headers written after the body.</summary>
    public void PatchUInt32(int offset, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset, 4), v);
}

/// <summary>Reads what <see cref="ByteSink"/> wrote; throws <see cref="InvalidDataException"/> on truncated or malformed input.</summary>
internal ref struct ByteSource(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> data = data;

    public int Position { get; private set; }

    public readonly bool End => Position >= data.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || Position + count > data.Length)
        {
            throw new InvalidDataException("Record ends early.");
        }
        var s = data.Slice(Position, count);
        Position += count;
        return s;
    }

    public byte Byte() => Take(1)[0];

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public double Double() => BitConverter.UInt64BitsToDouble(UInt64());

    public ulong Uvarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("Varint too long.");
    }

    public int Count(int max = int.MaxValue)
    {
        var v = Uvarint();
        if (v > (ulong)Math.Min(max, data.Length - Position))
        {
            // A count larger than the bytes left cannot be genuine: every element takes a byte.
            throw new InvalidDataException("Count exceeds record size.");
        }
        return (int)v;
    }

    /// <summary>A non-negative int below <paramref name="limit"/>, e.g. a symbol reference.</summary>
    public int Below(int limit)
    {
        var v = Uvarint();
        return v < (ulong)limit ? (int)v : throw new InvalidDataException("Reference out of range.");
    }

    public long Varint()
    {
        var zz = Uvarint();
        return (long)(zz >> 1) ^ -(long)(zz & 1);
    }

    public string String() => Encoding.UTF8.GetString(Take(Count()));

    public ReadOnlySpan<byte> Bytes() => Take(Count());
}
