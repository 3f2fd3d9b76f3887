using System.Globalization;
using System.Text;

namespace Vigil.Metrics.Tests;

/// <summary>
/// <see cref="ShortestDecimal"/> writes the digits .NET's round-trip format ("R") finds, the
/// shortest decimal closest to the double, laid out without an exponent as Go's
/// <c>strconv.FormatFloat(v, 'f', -1, 64)</c> lays them out.
/// </summary>
public sealed class ShortestDecimalTests
{
    private static string? Format(double value)
    {
        Span<byte> text = stackalloc byte[ShortestDecimal.MaxLength];
        return ShortestDecimal.TryFormat(value, text, out var written) ? Encoding.ASCII.GetString(text[..written]) : null;
    }

    /// <summary>A decimal's sign, significant digits and the power of ten of its first digit, from either layout.</summary>
    private static (bool Negative, string Digits, int Exponent) Normalize(string text)
    {
        var negative = text.StartsWith('-');
        var e = text.IndexOfAny(['E', 'e']);
        var exponent = e < 0 ? 0 : int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = text[(negative ? 1 : 0)..(e < 0 ? text.Length : e)];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intDigits = dot < 0 ? mantissa.Length : dot;
        var all = mantissa.Replace(".", "", StringComparison.Ordinal);
        var lead = all.Length - all.TrimStart('0').Length;
        var digits = all.Trim('0');
        return (negative, digits.Length == 0 ? "0" : digits, digits.Length == 0 ? 0 : exponent + intDigits - lead - 1);
    }

    private static void AssertLikeRoundTrip(double value)
    {
        var mine = Format(value);
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var expected = Normalize(r);
        Assert.NotNull(mine);
        Assert.DoesNotContain('E', mine);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(double.Parse(mine, CultureInfo.InvariantCulture)));
        if (double.Parse(r, CultureInfo.InvariantCulture).Equals(value))
        {
            Assert.Equal(expected, Normalize(mine));
            return;
        }
        // .NET's own digits miss the double (2^-25 gets 2.980232238769531E-08, which reads back as
        // the double below; Go and Python write 2.9802322387695312e-08): then no decimal one digit
        // shorter, rounded either way, may read back as it.
        var (negative, digits, exponent) = Normalize(mine);
        Assert.True(digits.Length > 1);
        var shorter = decimal.Parse(digits[..^1], CultureInfo.InvariantCulture);
        foreach (var candidate in new[] { shorter, shorter + 1 })
        {
            var text = $"{(negative ? "-" : "")}{candidate}E{exponent - (digits.Length - 2)}";
            Assert.NotEqual(value, double.Parse(text, CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.0, "1")]
    [InlineData(12300.0, "12300")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.5333333333333333, "0.5333333333333333")]
    [InlineData(1.2345e-7, "0.00000012345")]
    [InlineData(4e9, "4000000000")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(9007199254740993.0, "9007199254740992")]
    [InlineData(2.9802322387695312e-8, "0.000000029802322387695312")]
    [InlineData(double.NaN, null)]
    [InlineData(double.PositiveInfinity, null)]
    [InlineData(double.NegativeInfinity, null)]
    public void Writes_values_as_Prometheus_does(double value, string? expected) => Assert.Equal(expected, Format(value));

    [Fact]
    public void The_extremes_are_written_out_in_full()
    {
        Assert.Equal("0." + new string('0', 323) + "5", Format(double.Epsilon));
        Assert.Equal("-0." + new string('0', 323) + "5", Format(-double.Epsilon));
        Assert.Equal("17976931348623157" + new string('0', 292), Format(double.MaxValue));
        Assert.Equal(ShortestDecimal.MaxLength, Format(-double.Epsilon)!.Length);
        // Too small a buffer: nothing written, the caller told.
        Span<byte> small = stackalloc byte[5];
        Assert.False(ShortestDecimal.TryFormat(0.015625, small, out var written));
        Assert.Equal(0, written);
        Assert.True(ShortestDecimal.TryFormat(0.125, small, out written));
        Assert.Equal("0.125", Encoding.ASCII.GetString(small[..written]));
    }

    [Fact]
    public void Random_doubles_get_the_round_trip_digits()
    {
        var random = new Random(2018);
        Span<byte> bits = stackalloc byte[8];
        for (var i = 0; i < 300_000; i++)
        {
            random.NextBytes(bits);
            var value = BitConverter.ToDouble(bits);
            if (double.IsFinite(value))
            {
                AssertLikeRoundTrip(value);
            }
        }
    }

    [Fact]
    public void Values_a_query_answers_get_the_round_trip_digits()
    {
        // Rates, averages and counters: ratios of small integers, sums of decimals, integers, powers
        // of two and ten and their neighbours, subnormals, and values exactly between two doubles' digits.
        var random = new Random(25);
        for (var i = 0; i < 200_000; i++)
        {
            AssertLikeRoundTrip(random.Next(1, 100_000) / (double)random.Next(1, 3_600));
            AssertLikeRoundTrip(random.Next() * Math.Pow(10, random.Next(-30, 30)));
            AssertLikeRoundTrip(random.Next(-1_000_000, 1_000_000) / 100.0 + random.Next(0, 1000) / 1000.0);
        }
        for (var e = -1074; e <= 1023; e++)
        {
            var p = Math.ScaleB(1, e);
            AssertLikeRoundTrip(p);
            AssertLikeRoundTrip(Math.BitIncrement(p));
            AssertLikeRoundTrip(Math.BitDecrement(p));
        }
        for (var e = -30; e <= 30; e++)
        {
            var p = double.Parse($"1e{e}", CultureInfo.InvariantCulture);
            AssertLikeRoundTrip(p);
            AssertLikeRoundTrip(Math.BitIncrement(p));
            AssertLikeRoundTrip(Math.BitDecrement(p));
        }
        for (long m = 0; m < 100_000; m++)
        {
            AssertLikeRoundTrip(m);
            AssertLikeRoundTrip(m + 0.5);
            AssertLikeRoundTrip((1L << 53) - m);
        }
    }
}
