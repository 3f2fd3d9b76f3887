using System.Buffers.Binary;
using System.Numerics;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// A Gorilla-compressed chunk of samples, bit-compatible in spirit with Prometheus
/// <c>tsdb/chunkenc/xor.go</c>: a 2-byte big-endian sample count, then the first timestamp as a
/// zig-zag varint and the first value as 64 raw bits, the second timestamp as an unsigned varint
/// delta, and after that delta-of-delta timestamps in the buckets 0 / 14 / 17 / 20 / 64 bits and
/// XOR-ed values with leading/trailing zero reuse. Values are stored by their bits, so NaN
/// payloads (the staleness marker) survive exactly. Arithmetic wraps, so any long round-trips.
/// </summary>
internal sealed class XorChunkWriter
{
    /// <summary>Prometheus cuts head chunks at 120 samples: past that the compression gain is small.</summary>
    public const int TargetSamples = 120;

    private byte[] buffer;
    private int bitLength = 16;
    private long lastTime;
    private long lastDelta;
    private ulong lastValueBits;
    private byte leading = 0xFF;
    private byte trailing;


    // A ushort, as in the chunk's own header: with the two bytes above, the writer is 64 bytes, not 72.
    private ushort count;

    public XorChunkWriter(int initialCapacity = 32) => buffer = new byte[Math.Max(initialCapacity, 16)];

    public int Count => count;

    public long MinTime { get; private set; }

    public long MaxTime => lastTime;

    public int ByteLength => (bitLength + 7) >> 3;

    public void Append(long t, double v)
    {
        if (count == ushort.MaxValue)
        {
            throw new InvalidOperationException("A chunk holds at most 65,535 samples (its count is two bytes).");
        }
        var bits = BitConverter.DoubleToUInt64Bits(v);
        if (Count == 0)
        {
            WriteVarint(t);
            WriteBits(bits, 64);
            MinTime = t;
        }
        else if (Count == 1)
        {
            lastDelta = unchecked(t - lastTime);
            WriteUvarint(unchecked((ulong)lastDelta));
            WriteValue(bits);
        }
        else
        {
            var delta = unchecked(t - lastTime);
            WriteDeltaOfDelta(unchecked(delta - lastDelta));
            lastDelta = delta;
            WriteValue(bits);
        }
        lastTime = t;
        lastValueBits = bits;
        count++;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, count);
    }

    /// <summary>A copy of the encoded bytes so far (the writer may keep appending).</summary>
    public byte[] ToArray() => buffer.AsSpan(0, ByteLength).ToArray();

    public static byte[] Encode(ReadOnlySpan<Sample> samples)
    {
        var w = new XorChunkWriter(samples.Length * 2 + 16);
        foreach (var s in samples)
        {
            w.Append(s.TimestampMs, s.Value);
        }
        return w.ToArray();
    }

    private void WriteDeltaOfDelta(long dod)
    {
        if (dod == 0)
        {
            WriteBits(0, 1);
        }
        else if (FitsSigned(dod, 14))
        {
            WriteBits(0b10, 2);
            WriteBits(unchecked((ulong)dod), 14);
        }
        else if (FitsSigned(dod, 17))
        {
            WriteBits(0b110, 3);
            WriteBits(unchecked((ulong)dod), 17);
        }
        else if (FitsSigned(dod, 20))
        {
            WriteBits(0b1110, 4);
            WriteBits(unchecked((ulong)dod), 20);
        }
        else
        {
            WriteBits(0b1111, 4);
            WriteBits(unchecked((ulong)dod), 64);
        }
    }

    // Prometheus bitRange: -(2^(n-1)-1) <= x <= 2^(n-1).
    private static bool FitsSigned(long x, int bits) => -((1L << (bits - 1)) - 1) <= x && x <= 1L << (bits - 1);

    private void WriteValue(ulong bits)
    {
        var xor = bits ^ lastValueBits;
        if (xor == 0)
        {
            WriteBits(0, 1);
            return;
        }
        WriteBits(1, 1);
        var lz = (byte)Math.Min(BitOperations.LeadingZeroCount(xor), 31);
        var tz = (byte)BitOperations.TrailingZeroCount(xor);
        if (leading != 0xFF && lz >= leading && tz >= trailing)
        {
            WriteBits(0, 1);
            WriteBits(xor >> trailing, 64 - leading - trailing);
            return;
        }
        leading = lz;
        trailing = tz;
        var significant = 64 - lz - tz;
        WriteBits(1, 1);
        WriteBits(lz, 5);
        WriteBits((ulong)(significant & 63), 6); // 64 significant bits are written as 0
        WriteBits(xor >> tz, significant);
    }

    private void WriteVarint(long v) => WriteUvarint(unchecked((ulong)((v << 1) ^ (v >> 63))));

    private void WriteUvarint(ulong v)
    {
        while (v >= 0x80)
        {
            WriteBits((v & 0x7F) | 0x80, 8);
            v >>= 7;
        }
        WriteBits(v, 8);
    }

    private void WriteBits(ulong value, int count)
    {
        if (((bitLength + count + 7) >> 3) > buffer.Length)
        {
            // By half again rather than double: the open chunk of each of a head's series is
            // held at this capacity, and doubling left a quarter of it empty on average (a
            // 30-sample counter took 80 of 128 bytes, a gauge 224 of 256).
            Array.Resize(ref buffer, Math.Max(buffer.Length + buffer.Length / 2, (bitLength + count + 7) >> 3));
        }
        while (count > 0)
        {
            var free = 8 - (bitLength & 7);
            var take = Math.Min(free, count);
            var part = (byte)((value >> (count - take)) & ((1UL << take) - 1));
            buffer[bitLength >> 3] |= (byte)(part << (free - take));
            bitLength += take;
            count -= take;
        }
    }
}

/// <summary>Decodes chunks written by <see cref="XorChunkWriter"/>.</summary>
internal static class XorChunkReader
{
    public static int SampleCount(ReadOnlySpan<byte> chunk) => chunk.Length < 2 ? 0 : BinaryPrimitives.ReadUInt16BigEndian(chunk);

    public static List<Sample> Decode(ReadOnlySpan<byte> chunk)
    {
        var list = new List<Sample>(SampleCount(chunk));
        Decode(chunk, long.MinValue, long.MaxValue, list);
        return list;
    }

    /// <summary>Appends the samples with timestamps in [<paramref name="minT"/>, <paramref name="maxT"/>] to <paramref name="into"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> chunk, long minT, long maxT, List<Sample> into)
    {
        var count = SampleCount(chunk);
        var r = new BitReader(chunk, 2);
        long t = 0, delta = 0;
        ulong bits = 0;
        int leading = 0, trailing = 0;
        for (var i = 0; i < count; i++)
        {
            if (i == 0)
            {
                var zz = r.ReadUvarint();
                t = (long)(zz >> 1) ^ -(long)(zz & 1);
                bits = r.ReadBits(64);
            }
            else
            {
                if (i == 1)
                {
                    delta = unchecked((long)r.ReadUvarint());
                }
                else
                {
                    delta = unchecked(delta + ReadDeltaOfDelta(ref r));
                }
                t = unchecked(t + delta);
                if (r.ReadBit())
                {
                    if (r.ReadBit())
                    {
                        leading = (int)r.ReadBits(5);
                        var significant = (int)r.ReadBits(6);
                        if (significant == 0)
                        {
                            significant = 64;
                        }
                        trailing = 64 - leading - significant;
                    }
                    bits ^= r.ReadBits(64 - leading - trailing) << trailing;
                }
            }
            if (t > maxT)
            {
                return;
            }
            if (t >= minT)
            {
                into.Add(new Sample(t, BitConverter.UInt64BitsToDouble(bits)));
            }
        }
    }

    private static long ReadDeltaOfDelta(ref BitReader r)
    {
        var prefix = 0;
        while (prefix < 4 && r.ReadBit())
        {
            prefix++;
        }
        var size = prefix switch { 0 => 0, 1 => 14, 2 => 17, 3 => 20, _ => 64 };
        if (size == 0)
        {
            return 0;
        }
        var raw = r.ReadBits(size);
        if (size == 64)
        {
            return unchecked((long)raw);
        }
        var value = (long)raw;
        return value > 1L << (size - 1) ? value - (1L << size) : value;
    }

    /// <summary>
    /// Reads a chunk's bits most significant first, as Prometheus's <c>bstreamReader</c> does: from a
    /// 64-bit buffer refilled a word at a time, so that a bit costs a shift, not an index and a
    /// bounds check (decoding was a third of range <c>rate</c>'s evaluation).
    /// </summary>
    private ref struct BitReader
    {
        private readonly ReadOnlySpan<byte> data;
        /// <summary>The next byte not yet in <see cref="buffer"/>.</summary>
        private int next;
        /// <summary>The unread bits, from the top; below the <see cref="available"/> ones there may be some of the next bytes' bits, in place.</summary>
        private ulong buffer;
        private int available;

        public BitReader(ReadOnlySpan<byte> data, int startByte)
        {
            this.data = data;
            next = startByte;
        }

        /// <summary>Tops the buffer up to at least 57 bits, or to the chunk's end.</summary>
        private void Refill()
        {
            if (next + 8 <= data.Length)
            {
                // Whole bytes only, so that the next refill starts at a byte: the bits of a byte taken
                // in part are ORed again in the same place, which changes nothing.
                buffer |= BinaryPrimitives.ReadUInt64BigEndian(data[next..]) >> available;
                var bytes = (63 - available) >> 3;
                next += bytes;
                available += bytes << 3;
                return;
            }
            while (available <= 56 && next < data.Length)
            {
                buffer |= (ulong)data[next++] << (56 - available);
                available += 8;
            }
        }

        public ulong ReadBits(int count)
        {
            if (count == 0)
            {
                return 0;
            }
            if (count > 56)
            {
                // More than a refill guarantees: in two reads.
                var high = ReadBits(count - 32);
                return (high << 32) | ReadBits(32);
            }
            if (available < count)
            {
                Refill();
                if (available < count)
                {
                    throw new InvalidDataException("Chunk ends before its last sample.");
                }
            }
            var result = buffer >> (64 - count);
            buffer <<= count;
            available -= count;
            return result;
        }

        public bool ReadBit()
        {
            if (available == 0)
            {
                Refill();
                if (available == 0)
                {
                    throw new InvalidDataException("Chunk ends before its last sample.");
                }
            }
            var bit = (long)buffer < 0;
            buffer <<= 1;
            available--;
            return bit;
        }

        public ulong ReadUvarint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                var b = ReadBits(8);
                result |= (b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }
            throw new InvalidDataException("Varint too long.");
        }
    }
}
