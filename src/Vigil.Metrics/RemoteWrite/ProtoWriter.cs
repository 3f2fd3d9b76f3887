using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>Writes the protobuf wire format; nested messages are written by a child writer and copied with their length.</summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new(256);

    public ReadOnlySpan<byte> WrittenSpan => buffer.WrittenSpan;

    public void Key(int field, WireType type) => Varint(((ulong)field << 3) | (ulong)type);

    public void Varint(ulong value)
    {
        var span = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        buffer.Advance(n);
    }

    public void Int64(int field, long value)
    {
        Key(field, WireType.Varint);
        Varint((ulong)value);
    }

    public void Double(int field, double value)
    {
        Key(field, WireType.Fixed64);
        BinaryPrimitives.WriteDoubleLittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, WireType.LengthDelimited);
        Varint((ulong)value.Length);
        buffer.Write(value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Message(int field, ProtoWriter child) => Bytes(field, child.WrittenSpan);
}
