using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>
/// Writes the protobuf wire format into a buffer sized beforehand: a nested message's length is
/// computed first (<see cref="SizeOf(int)"/> and friends), so every byte is written once, in
/// place, with no child buffers to copy (https://protobuf.dev/programming-guides/encoding/).
/// </summary>
internal ref struct ProtoWriter(Span<byte> buffer)
{
    private readonly Span<byte> buffer = buffer;
    private int written;

    /// <summary>How many bytes have been written.</summary>
    public readonly int Written => written;

    /// <summary>Bytes of a varint.</summary>
    public static int VarintSize(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    /// <summary>Bytes of a length-delimited field (key, length, payload) whose payload has <paramref name="length"/> bytes; the field number is below 16.</summary>
    public static int SizeOf(int length) => 1 + VarintSize((ulong)length) + length;

    /// <summary>Bytes of a string field; the field number is below 16.</summary>
    public static int SizeOf(string value) => SizeOf(Encoding.UTF8.GetByteCount(value));

    public void Key(int field, WireType type) => Varint(((ulong)field << 3) | (ulong)type);

    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer[written++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[written++] = (byte)value;
    }

    public void Int64(int field, long value)
    {
        Key(field, WireType.Varint);
        Varint((ulong)value);
    }

    public void Double(int field, double value)
    {
        Key(field, WireType.Fixed64);
        BinaryPrimitives.WriteDoubleLittleEndian(buffer[written..], value);
        written += 8;
    }

    public void String(int field, string value)
    {
        Key(field, WireType.LengthDelimited);
        Varint((ulong)Encoding.UTF8.GetByteCount(value));
        written += Encoding.UTF8.GetBytes(value, buffer[written..]);
    }

    /// <summary>The key and length of a nested message whose <paramref name="length"/> bytes the caller writes next.</summary>
    public void MessageHeader(int field, int length)
    {
        Key(field, WireType.LengthDelimited);
        Varint((ulong)length);
    }
}
