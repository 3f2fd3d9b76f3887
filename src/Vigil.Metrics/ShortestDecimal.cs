using System.Numerics;

namespace Vigil.Metrics;

/// <summary>
/// A finite double as the shortest decimal that reads back as the same double, written without an
/// exponent: Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>, which is how Prometheus writes sample
/// values in its query API (<c>0.5333333333333333</c>, <c>12300</c>, <c>-0</c>).
/// </summary>
/// <remarks>
/// The digits are found with Ryū (Ulf Adams, "Ryū: fast float-to-string conversion", PLDI 2018):
/// the interval of decimals that round to the double is scaled by a 125-bit power of five from a
/// table, and digits are dropped while the interval's ends still differ, keeping the one closest to
/// the double (ties to even). .NET's round-trip format ("R") finds the same digits through Grisu3
/// and the general number formatter at about three times the cost (a range query answer formats
/// 600,000 of them), except for some powers of two, where its digits read back as the double below
/// (2^-25: 2.980232238769531E-08; Go writes 2.9802322387695312e-08).
/// </remarks>
public static class ShortestDecimal
{
    private const int MantissaBits = 52;
    private const int ExponentBias = 1023;
    private const int Pow5InvBitCount = 125;
    private const int Pow5BitCount = 125;

    // 5^i scaled to 125 bits (Pow5), and 2^(bits(5^i) - 1 + 125) / 5^i + 1 (Pow5Inv), as (low, high) words.
    private static readonly (ulong Low, ulong High)[] Pow5 = Table(326, inverse: false);
    private static readonly (ulong Low, ulong High)[] Pow5Inv = Table(342, inverse: true);

    /// <summary>The longest text this writes: the smallest subnormal, <c>-0.000…0005</c> with 323 zeros after the point.</summary>
    public const int MaxLength = 1 + 2 + 323 + 1;

    /// <summary>
    /// Writes <paramref name="value"/> into <paramref name="into"/> as ASCII; false for NaN and the
    /// infinities, or when it does not fit (<see cref="MaxLength"/> bytes always do), and then nothing is written.
    /// </summary>
    public static bool TryFormat(double value, Span<byte> into, out int written)
    {
        written = 0;
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var negative = (bits >> 63) != 0;
        var ieeeMantissa = bits & ((1UL << MantissaBits) - 1);
        var ieeeExponent = (int)((bits >> MantissaBits) & 0x7FF);
        if (ieeeExponent == 0x7FF)
        {
            return false;
        }
        var (digits, exponent) = ieeeExponent == 0 && ieeeMantissa == 0 ? (0UL, 0) : Digits(ieeeMantissa, ieeeExponent);
        var length = DecimalLength(digits);
        // The value is digits x 10^exponent: the point goes after (length + exponent) digits.
        var point = length + exponent;
        var needed = (negative ? 1 : 0) + (point <= 0 ? 2 - point + length : point >= length ? point : length + 1);
        if (into.Length < needed)
        {
            return false;
        }
        var n = 0;
        if (negative)
        {
            into[n++] = (byte)'-';
        }
        if (point <= 0)
        {
            into[n++] = (byte)'0';
            into[n++] = (byte)'.';
            into.Slice(n, -point).Fill((byte)'0');
            n += -point;
            WriteDigits(digits, into.Slice(n, length));
            n += length;
        }
        else if (point >= length)
        {
            WriteDigits(digits, into.Slice(n, length));
            n += length;
            into.Slice(n, point - length).Fill((byte)'0');
            n += point - length;
        }
        else
        {
            var below = Pow10[length - point];
            var whole = digits / below;
            WriteDigits(whole, into.Slice(n, point));
            n += point;
            into[n++] = (byte)'.';
            WriteDigits(digits - whole * below, into.Slice(n, length - point));
            n += length - point;
        }
        written = n;
        return true;
    }

    /// <summary>The last <c>into.Length</c> decimal digits of <paramref name="v"/> (with leading zeros), two at a time.</summary>
    private static void WriteDigits(ulong v, Span<byte> into)
    {
        var i = into.Length;
        while (i >= 2)
        {
            var pair = (int)(v % 100) * 2;
            v /= 100;
            i -= 2;
            into[i] = DigitPairs[pair];
            into[i + 1] = DigitPairs[pair + 1];
        }
        if (i == 1)
        {
            into[0] = (byte)('0' + (int)(v % 10));
        }
    }

    private static ReadOnlySpan<byte> DigitPairs => "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    private static readonly ulong[] Pow10 = [.. Enumerable.Range(0, 20).Select(i => (ulong)BigInteger.Pow(10, i))];

    /// <summary>Ryū's <c>d2d</c>: the shortest digits and their decimal exponent for a finite, non-zero double.</summary>
    private static (ulong Digits, int Exponent) Digits(ulong ieeeMantissa, int ieeeExponent)
    {
        int e2;
        ulong m2;
        if (ieeeExponent == 0)
        {
            e2 = 1 - ExponentBias - MantissaBits - 2;
            m2 = ieeeMantissa;
        }
        else
        {
            e2 = ieeeExponent - ExponentBias - MantissaBits - 2;
            m2 = (1UL << MantissaBits) | ieeeMantissa;
        }
        var even = (m2 & 1) == 0;
        var acceptBounds = even;

        // The interval of reals that round to the double: [mm, mp] around mv, all times 4 (and 2^e2).
        var mv = 4 * m2;
        var mmShift = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1UL : 0UL;

        ulong vr, vp, vm;
        int e10;
        var vmIsTrailingZeros = false;
        var vrIsTrailingZeros = false;
        if (e2 >= 0)
        {
            var q = Log10Pow2(e2) - (e2 > 3 ? 1 : 0);
            e10 = q;
            var k = Pow5InvBitCount + Pow5Bits(q) - 1;
            var i = -e2 + q + k;
            var mul = Pow5Inv[q];
            vr = MulShift(4 * m2, mul, i);
            vp = MulShift(4 * m2 + 2, mul, i);
            vm = MulShift(4 * m2 - 1 - mmShift, mul, i);
            if (q <= 21)
            {
                // Only one of mp, mv and mm can be a multiple of 5, if any.
                if (mv % 5 == 0)
                {
                    vrIsTrailingZeros = MultipleOfPowerOf5(mv, q);
                }
                else if (acceptBounds)
                {
                    vmIsTrailingZeros = MultipleOfPowerOf5(mv - 1 - mmShift, q);
                }
                else
                {
                    vp -= MultipleOfPowerOf5(mv + 2, q) ? 1UL : 0UL;
                }
            }
        }
        else
        {
            var q = Log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
            e10 = q + e2;
            var i = -e2 - q;
            var k = Pow5Bits(i) - Pow5BitCount;
            var j = q - k;
            var mul = Pow5[i];
            vr = MulShift(4 * m2, mul, j);
            vp = MulShift(4 * m2 + 2, mul, j);
            vm = MulShift(4 * m2 - 1 - mmShift, mul, j);
            if (q <= 1)
            {
                // mv = 4 m2 has at least two trailing zero bits, so vr has at least q trailing decimal zeros.
                vrIsTrailingZeros = true;
                if (acceptBounds)
                {
                    vmIsTrailingZeros = mmShift == 1;
                }
                else
                {
                    vp--;
                }
            }
            else if (q < 63)
            {
                vrIsTrailingZeros = MultipleOfPowerOf2(mv, q);
            }
        }

        // Drop digits while the interval's ends still differ in what is left.
        var removed = 0;
        var lastRemovedDigit = 0;
        ulong output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            while (vp / 10 > vm / 10)
            {
                vmIsTrailingZeros &= vm % 10 == 0;
                DropTrackingZeros();
            }
            // Then, while the lower end is a round number (and may be the answer), the zeros it ends in.
            while (vmIsTrailingZeros && vm % 10 == 0)
            {
                DropTrackingZeros();
            }
            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0)
            {
                // Exactly halfway: round to even.
                lastRemovedDigit = 4;
            }
            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1UL : 0UL);
        }
        else
        {
            // The common case: no trailing zeros to track, only whether to round up.
            var roundUp = false;
            if (vp / 100 > vm / 100)
            {
                roundUp = vr % 100 >= 50;
                vr /= 100;
                vp /= 100;
                vm /= 100;
                removed += 2;
            }
            while (vp / 10 > vm / 10)
            {
                roundUp = vr % 10 >= 5;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            output = vr + (vr == vm || roundUp ? 1UL : 0UL);
        }
        return (output, e10 + removed);

        void DropTrackingZeros()
        {
            vrIsTrailingZeros &= lastRemovedDigit == 0;
            lastRemovedDigit = (int)(vr % 10);
            vr /= 10;
            vp /= 10;
            vm /= 10;
            removed++;
        }
    }

    /// <summary>(m x mul) >> j, for the 128-bit mul and j ≥ 64.</summary>
    private static ulong MulShift(ulong m, (ulong Low, ulong High) mul, int j)
    {
        var high0 = Math.BigMul(m, mul.Low, out _);
        var b2 = (UInt128)m * mul.High;
        return (ulong)((b2 + high0) >> (j - 64));
    }

    private static int Pow5Bits(int e) => (int)(((uint)e * 1217359) >> 19) + 1;

    private static int Log10Pow2(int e) => (int)(((uint)e * 78913) >> 18);

    private static int Log10Pow5(int e) => (int)(((uint)e * 732923) >> 20);

    private static bool MultipleOfPowerOf5(ulong value, int p)
    {
        var count = 0;
        while (value % 5 == 0 && value != 0)
        {
            value /= 5;
            count++;
        }
        return count >= p;
    }

    private static bool MultipleOfPowerOf2(ulong value, int p) => (value & ((1UL << p) - 1)) == 0;

    private static int DecimalLength(ulong v)
    {
        if (v == 0)
        {
            return 1;
        }
        // log10 from log2 (1233 / 4096 ≈ log10 2), corrected by one comparison.
        var t = ((BitOperations.Log2(v) + 1) * 1233) >> 12;
        return t + (v >= Pow10[t] ? 1 : 0);
    }

    private static (ulong Low, ulong High)[] Table(int count, bool inverse)
    {
        var table = new (ulong, ulong)[count];
        var mask = (BigInteger.One << 64) - 1;
        for (var i = 0; i < count; i++)
        {
            var pow = BigInteger.Pow(5, i);
            var length = (int)pow.GetBitLength();
            var value = inverse
                ? (BigInteger.One << (length - 1 + Pow5InvBitCount)) / pow + 1
                : length >= Pow5BitCount ? pow >> (length - Pow5BitCount) : pow << (Pow5BitCount - length);
            table[i] = ((ulong)(value & mask), (ulong)(value >> 64));
        }
        return table;
    }
}
