using Vigil.Metrics.Storage.Tsdb;

namespace Vigil.Metrics.Tests.Storage;

public class XorChunkTests
{
    private static void AssertRoundTrip(Sample[] samples)
    {
        var decoded = XorChunkReader.Decode(XorChunkWriter.Encode(samples));

        Assert.Equal(samples.Length, decoded.Count);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(samples[i].TimestampMs, decoded[i].TimestampMs);
            Assert.True(BitConverter.DoubleToUInt64Bits(samples[i].Value) == BitConverter.DoubleToUInt64Bits(decoded[i].Value),
                $"sample {i}: wrote {samples[i].Value} (0x{BitConverter.DoubleToUInt64Bits(samples[i].Value):x16}), read {decoded[i].Value} (0x{BitConverter.DoubleToUInt64Bits(decoded[i].Value):x16})");
        }
    }

    [Fact]
    public void Regular_scrapes_round_trip_and_compress_below_two_bytes_per_sample()
    {
        var samples = Enumerable.Range(0, 120).Select(i => new Sample(1_700_000_000_000 + i * 15_000L, 1000 + i)).ToArray();

        AssertRoundTrip(samples);
        Assert.True(XorChunkWriter.Encode(samples).Length < 2 * 120, $"{XorChunkWriter.Encode(samples).Length} bytes");
    }

    [Fact]
    public void Special_values_keep_their_exact_bits()
    {
        double[] values = [double.NaN, Sample.StaleNaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue, 1.5, Sample.StaleNaN, Sample.StaleNaN, -1e-300];

        AssertRoundTrip([.. values.Select((v, i) => new Sample(i * 1000L, v))]);
        Assert.True(Sample.IsStaleNaN(XorChunkReader.Decode(XorChunkWriter.Encode([new Sample(5, Sample.StaleNaN)]))[0].Value));
    }

    [Fact]
    public void Negative_and_extreme_timestamps_round_trip()
    {
        AssertRoundTrip([new(long.MinValue, 1), new(-1, 2), new(0, 3), new(long.MaxValue, 4)]);
        AssertRoundTrip([new(-86_400_000, 1), new(-86_399_000, 2), new(-1, 3)]);
        AssertRoundTrip([new(0, 1)]);
        AssertRoundTrip([]);
    }

    [Fact]
    public void Irregular_intervals_use_every_delta_of_delta_bucket()
    {
        long[] gaps = [1, 15_000, 15_001, 14_990, 0, 8_192, -8_191 + 20_000, 65_536, 524_288, 3_600_000, 86_400_000_000, 1, 1, 2];
        var t = 1_600_000_000_000L;
        var samples = new List<Sample>();
        var random = new Random(42);
        foreach (var gap in gaps)
        {
            t += gap;
            samples.Add(new Sample(t, random.NextDouble() * 1e6));
        }

        AssertRoundTrip([.. samples]);
    }

    [Fact]
    public void Random_values_and_gaps_round_trip()
    {
        var random = new Random(7);
        for (var run = 0; run < 50; run++)
        {
            var t = random.NextInt64(-1L << 50, 1L << 50);
            var samples = new Sample[random.Next(1, 121)];
            for (var i = 0; i < samples.Length; i++)
            {
                t += random.Next(4) == 0 ? random.NextInt64(1, 1L << 40) : random.Next(1, 100_000);
                var v = random.Next(5) switch
                {
                    0 => BitConverter.Int64BitsToDouble(random.NextInt64()),
                    1 => Math.Round(random.NextDouble() * 100),
                    2 => i > 0 ? samples[i - 1].Value : 0,
                    _ => random.NextDouble(),
                };
                samples[i] = new Sample(t, v);
            }
            AssertRoundTrip(samples);
        }
    }

    [Fact]
    public void Decoding_a_time_range_returns_only_samples_inside_it()
    {
        var chunk = XorChunkWriter.Encode([.. Enumerable.Range(0, 10).Select(i => new Sample(i * 10L, i))]);
        var into = new List<Sample>();

        XorChunkReader.Decode(chunk, 25, 60, into);

        Assert.Equal([30L, 40, 50, 60], into.Select(s => s.TimestampMs));
    }

    [Fact]
    public void Crc32c_matches_the_standard_check_value_on_both_paths()
    {
        var data = "123456789"u8;

        Assert.Equal(0xE3069283u, Crc32C.Compute(data));
        Assert.Equal(0xE3069283u, Crc32C.ComputeWithTable(data));
        var big = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31)).ToArray();
        Assert.Equal(Crc32C.ComputeWithTable(big), Crc32C.Compute(big));
    }

    [Fact]
    public void A_chunk_takes_as_many_samples_as_its_two_byte_count_holds_and_refuses_one_more()
    {
        var writer = new XorChunkWriter();
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            writer.Append(i * 15_000L, i % 7);
        }

        Assert.Equal(ushort.MaxValue, writer.Count);
        Assert.Equal(ushort.MaxValue, XorChunkReader.SampleCount(writer.ToArray()));
        Assert.Throws<InvalidOperationException>(() => writer.Append(ushort.MaxValue * 15_000L, 0));
        var decoded = new List<Sample>();
        XorChunkReader.Decode(writer.ToArray(), long.MinValue, long.MaxValue, decoded);
        Assert.Equal(ushort.MaxValue, decoded.Count);
        Assert.Equal(new Sample((ushort.MaxValue - 1) * 15_000L, (ushort.MaxValue - 1) % 7), decoded[^1]);
    }

    [Fact]
    public void A_chunk_cut_short_anywhere_is_refused_rather_than_read_as_other_samples()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 120).Select(i => new Sample(i * 15_000L + random.Next(-2_000, 2_000), random.NextDouble() * 1e6)).ToArray();
        var chunk = XorChunkWriter.Encode(samples);

        for (var length = 2; length < chunk.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => XorChunkReader.Decode(chunk.AsSpan(0, length)));
        }
        Assert.Equal(samples, XorChunkReader.Decode(chunk));
    }
}
