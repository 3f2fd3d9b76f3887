namespace Vigil.Metrics;

/// <summary>One sample: a timestamp in milliseconds since the Unix epoch and a float value.</summary>
public readonly record struct Sample(long TimestampMs, double Value)
{
    /// <summary>
    /// Prometheus's staleness marker: a NaN with the exact bit pattern <c>0x7ff0000000000002</c>,
    /// distinct from an ordinary NaN value (Prometheus <c>model/value.StaleNaN</c>).
    /// </summary>
    public static readonly double StaleNaN = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);

    /// <summary>Whether <paramref name="value"/> is the staleness marker (not merely a NaN).</summary>
    public static bool IsStaleNaN(double value) => BitConverter.DoubleToUInt64Bits(value) == 0x7ff0000000000002;
}
