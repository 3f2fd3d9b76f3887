using System.Buffers.Binary;
using System.Text.Unicode;

namespace Vigil.Metrics.RemoteWrite;

/// <summary>Protobuf wire types used by <c>prometheus.WriteRequest</c>.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only reader of the protobuf wire format over a span; throws <see cref="RemoteWriteException"/>
/// when truncated. Errors name the message being read, <c>timeseries[3]</c> for <paramref name="kind"/>
/// "timeseries" and <paramref name="index"/> 3 (a negative index names the kind alone); the name is only
/// formatted when there is an error, since a request holds thousands of messages.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data, string kind, int index = -1)
{
    private readonly ReadOnlySpan<byte> data = data;
    private int pos;

    /// <summary>The message being read, as errors name it.</summary>
    public readonly string Context => index < 0 ? kind : $"{kind}[{index}]";

    public readonly bool End => pos >= data.Length;

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => pos;

    /// <summary>Reads the next field key.</summary>
    public (int Field, WireType Type) ReadKey()
    {
        var key = ReadVarint();
        var field = (int)(key >> 3);
        var type = (WireType)(key & 7);
        if (field == 0 || type is not (WireType.Varint or WireType.Fixed64 or WireType.LengthDelimited or WireType.Fixed32))
        {
            throw new RemoteWriteException($"{Context}: invalid protobuf field key {key}");
        }
        return (field, type);
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw Truncated();
            }
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new RemoteWriteException($"{Context}: malformed protobuf varint");
    }

    public double ReadDouble(WireType type)
    {
        Expect(type, WireType.Fixed64);
        if (data.Length - pos < 8)
        {
            throw Truncated();
        }
        var value = BinaryPrimitives.ReadDoubleLittleEndian(data[pos..]);
        pos += 8;
        return value;
    }

    public long ReadInt64(WireType type)
    {
        Expect(type, WireType.Varint);
        return (long)ReadVarint();
    }

    public ReadOnlySpan<byte> ReadBytes(WireType type)
    {
        Expect(type, WireType.LengthDelimited);
        var length = ReadVarint();
        if (length > (ulong)(data.Length - pos))
        {
            throw Truncated();
        }
        var bytes = data.Slice(pos, (int)length);
        pos += (int)length;
        return bytes;
    }

    public ReadOnlySpan<byte> ReadUtf8(WireType type, string field)
    {
        var bytes = ReadBytes(type);
        return Utf8.IsValid(bytes) ? bytes : throw NotUtf8(field);
    }

    /// <summary>The error for a string field that is not valid UTF-8.</summary>
    public readonly RemoteWriteException NotUtf8(string field) => new($"{Context}: {field} is not valid UTF-8");

    /// <summary>Skips a field this decoder does not read, as protobuf requires for forward compatibility.</summary>
    public void Skip(WireType type)
    {
        switch (type)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Advance(8);
                break;
            case WireType.Fixed32:
                Advance(4);
                break;
            default:
                ReadBytes(type);
                break;
        }
    }

    private void Advance(int n)
    {
        if (data.Length - pos < n)
        {
            throw Truncated();
        }
        pos += n;
    }

    private readonly void Expect(WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw new RemoteWriteException($"{Context}: wire type {(int)actual} where {(int)expected} was expected");
        }
    }

    private readonly RemoteWriteException Truncated() => new($"{Context}: truncated protobuf message");
}
