using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Vigil.Metrics.Storage.Tsdb;

/// <summary>
/// CRC-32C (Castagnoli), the checksum Prometheus uses for WAL records and index sections. Uses
/// the SSE4.2 / ARMv8 CRC instructions when present and a table otherwise.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reversed 0x1EDC6F41
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFF, data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = (uint)Sse42.X64.Crc32(crc, BitConverter.ToUInt64(data));
                data = data[8..];
            }
        }
        else if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, BitConverter.ToUInt64(data));
                data = data[8..];
            }
        }
        if (Sse42.IsSupported)
        {
            foreach (var b in data)
            {
                crc = Sse42.Crc32(crc, b);
            }
            return crc;
        }
        if (Crc32.IsSupported)
        {
            foreach (var b in data)
            {
                crc = Crc32.ComputeCrc32C(crc, b);
            }
            return crc;
        }
        return UpdateWithTable(crc, data);
    }

    internal static uint ComputeWithTable(ReadOnlySpan<byte> data) => ~UpdateWithTable(0xFFFFFFFF, data);

    private static uint UpdateWithTable(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }
}
