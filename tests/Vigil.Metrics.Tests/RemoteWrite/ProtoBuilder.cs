using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Vigil.Metrics.RemoteWrite;

namespace Vigil.Metrics.Tests.RemoteWrite;

/// <summary>Builds protobuf bytes field by field, including malformed ones, for decoder tests; nested messages are built by a child builder and copied with their length.</summary>
internal sealed class ProtoBuilder
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

    public void Message(int field, ProtoBuilder child) => Bytes(field, child.WrittenSpan);
}
