using Vigil.Features.Metrics.PrometheusApi;

namespace Vigil.Tests.Metrics;

public class ApiParametersTests
{
    [Theory]
    [InlineData("1700000600", 1_700_000_600_000)]
    [InlineData("1700001234.5", 1_700_001_234_500)]
    [InlineData("1700001234.5678", 1_700_001_234_568)]
    [InlineData("-10", -10_000)]
    [InlineData("0", 0)]
    [InlineData("2023-11-14T22:23:20Z", 1_700_000_600_000)]
    [InlineData("2023-11-14T23:23:20.250+01:00", 1_700_000_600_250)]
    public void Times_are_read_as_unix_seconds_or_rfc3339_like_prometheus(string text, long expectedMs) =>
        Assert.Equal(expectedMs, ApiParameters.ParseTime("time", text));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2023-11-14")]
    [InlineData("")]
    public void A_time_prometheus_cannot_read_is_refused_in_its_words(string text)
    {
        var e = Assert.Throws<BadParameterException>(() => ApiParameters.ParseTime("start", text));
        Assert.Equal($"invalid parameter \"start\": cannot parse \"{text}\" to a valid timestamp", e.Message);
    }

    [Theory]
    [InlineData("15", 15_000)]
    [InlineData("0.5", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("5m", 300_000)]
    public void Steps_are_seconds_or_durations(string text, long expectedMs) =>
        Assert.Equal(expectedMs, ApiParameters.ParseDuration("step", text));

    [Theory]
    [InlineData(2000, 1000, 60_000, "invalid parameter \"end\": end timestamp must not be before start time")]
    [InlineData(1000, 2000, 0, "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData(0, 11_001_000, 1000, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")]
    [InlineData(0, 11_000_000, 1000, null)]
    public void Query_ranges_are_checked_in_prometheus_order_and_words(long start, long end, long step, string? expected) =>
        Assert.Equal(expected, ApiParameters.CheckRange(start, end, step));

    [Theory]
    [InlineData(0.6733333333333338, "0.6733333333333338")]
    [InlineData(1, "1")]
    [InlineData(4e9, "4000000000")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(-2.5e-10, "-0.00000000025")]
    [InlineData(123456789.123, "123456789.123")]
    // 2^-25: .NET's round-trip format gives 2.980232238769531E-08, which reads back as the double below it.
    [InlineData(2.9802322387695312e-8, "0.000000029802322387695312")]
    [InlineData(-0.0, "-0")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Values_are_formatted_like_gos_format_float_f_minus_one(double value, string expected) =>
        Assert.Equal(expected, PrometheusJson.FormatValue(value));

    [Theory]
    [InlineData(1_700_000_600_000, 0.6733333333333338, "[1700000600,\"0.6733333333333338\"]")]
    [InlineData(1_700_001_234_500, 4e9, "[1700001234.500,\"4000000000\"]")]
    [InlineData(1_700_001_234_005, 1e21, "[1700001234.005,\"1000000000000000000000\"]")]
    [InlineData(-1_500, -2.5e-10, "[-1.500,\"-0.00000000025\"]")]
    [InlineData(0, 1.7976931348623157e308, null)]
    [InlineData(0, -5e-324, null)]
    [InlineData(long.MinValue, 0.0, "[-9223372036854775.808,\"0\"]")]
    [InlineData(long.MaxValue, double.NaN, "[9223372036854775.807,\"NaN\"]")]
    [InlineData(60_000, double.NegativeInfinity, "[60,\"-Inf\"]")]
    public void Points_are_written_as_a_timestamp_and_the_value_as_a_string(long timestampMs, double value, string? expected)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            PrometheusJson.WritePoint(json, timestampMs, value);
            PrometheusJson.WritePoint(json, timestampMs, value);
            json.WriteEndArray();
        }
        var point = expected ?? $"[{timestampMs / 1000},\"{PrometheusJson.FormatValue(value)}\"]";
        Assert.Equal($"[{point},{point}]", System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
