using System.Globalization;
using System.Text.Json;
using Snappier;
using Vigil.Metrics.Exposition;
using Vigil.Metrics.RemoteWrite;

namespace Vigil.Metrics.Tests.RemoteWrite;

public class RemoteWriteDecoderTests
{
    [Fact]
    public void Samples_sent_by_prometheus_2_42_decode_to_its_decoded_view()
    {
        var request = RemoteWriteDecoder.Decode(File.ReadAllBytes(Fixtures.Path("remote-write/samples.body.bin")));
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("remote-write/samples.decoded.json")));

        var expectedSeries = expected.RootElement.GetProperty("timeseries").EnumerateArray().Select(t =>
            Show(
                [.. t.GetProperty("labels").EnumerateArray().Select(p => new Label(p[0].GetString()!, p[1].GetString()!))],
                [.. t.GetProperty("samples").EnumerateArray().Select(s => new Sample(s.GetProperty("timestamp").GetInt64(), s.GetProperty("value").GetDouble()))]));
        Assert.Equal(expectedSeries, request.Timeseries.Select(t => Show([.. t.Labels], t.Samples)));
        Assert.Equal(15, request.Timeseries.Count);
        Assert.Equal(5, request.Timeseries.Select(t => t.Labels).Distinct().Count());
        Assert.Empty(request.Metadata);
        Assert.Equal(0, request.SkippedHistogramCount);
    }

    [Fact]
    public async Task A_decoded_request_appends_every_sample_including_repeated_series()
    {
        var request = RemoteWriteDecoder.Decode(File.ReadAllBytes(Fixtures.Path("remote-write/samples.body.bin")));
        var store = new Vigil.Metrics.Storage.MemorySampleStore();
        var appender = store.Appender();

        var appended = request.AppendTo(appender);
        var result = await appender.CommitAsync();

        Assert.Equal(15, appended);
        Assert.Equal(15, result.Appended);
        var up = Assert.Single(store.Select(0, long.MaxValue - 1, [LabelMatcher.Equal("__name__", "up")]));
        Assert.Equal(3, up.Samples.Count);
        Assert.Equal("eu-1", up.Labels.Get("cluster"));
    }

    [Fact]
    public void Metadata_sent_by_prometheus_2_42_decodes_to_its_decoded_view()
    {
        var request = RemoteWriteDecoder.Decode(File.ReadAllBytes(Fixtures.Path("remote-write/metadata.body.bin")));
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("remote-write/metadata.decoded.json")));

        var expectedMetadata = expected.RootElement.GetProperty("metadata").EnumerateArray().Select(m => new MetricMetadata(
            m.GetProperty("metric_family_name").GetString()!,
            Enum.Parse<MetricType>(m.GetProperty("type").GetString()!, ignoreCase: true),
            m.GetProperty("help").GetString()!,
            m.GetProperty("unit").GetString()!));
        Assert.Equal(expectedMetadata, request.Metadata);
        Assert.Equal(191, request.Metadata.Count);
        Assert.Empty(request.Timeseries);
    }

    [Fact]
    public void Encoded_requests_decode_to_the_same_series_samples_and_metadata()
    {
        var original = new WriteRequest(
            [
                new TimeSeries(Labels.Of("__name__", "up", "job", "api", "instance", "10.0.0.1:9100"), [new Sample(1_700_000_000_000, 1), new Sample(1_700_000_015_000, 0)]),
                new TimeSeries(Labels.Of("__name__", "temperature", "room", "ünïcode \"quoted\"\n"), [new Sample(-5, double.NaN), new Sample(long.MaxValue, double.NegativeInfinity), new Sample(0, Sample.StaleNaN)]),
            ],
            [new MetricMetadata("temperature", MetricType.Gauge, "Room temperature.", "celsius"), new MetricMetadata("up", MetricType.Unknown, "", "")]);

        var decoded = RemoteWriteDecoder.Decode(RemoteWriteEncoder.Encode(original));

        Assert.Equal(original.Timeseries.Select(t => Show([.. t.Labels], t.Samples)), decoded.Timeseries.Select(t => Show([.. t.Labels], t.Samples)));
        Assert.True(Sample.IsStaleNaN(decoded.Timeseries[1].Samples[2].Value));
        Assert.Equal(original.Metadata, decoded.Metadata);
    }

    [Fact]
    public void Encoding_the_decoded_fixture_gives_back_the_same_protobuf()
    {
        var body = File.ReadAllBytes(Fixtures.Path("remote-write/samples.body.bin"));

        var reencoded = RemoteWriteEncoder.EncodeProtobuf(RemoteWriteDecoder.Decode(body));

        Assert.Equal(Snappy.DecompressToArray(body), reencoded);
    }

    [Fact]
    public void Unsorted_labels_are_sorted_and_empty_values_dropped_like_prometheus()
    {
        var body = Body(Series(("zone", "a"), ("__name__", "m"), ("empty", ""), ("job", "j")));

        var series = Assert.Single(RemoteWriteDecoder.Decode(body).Timeseries);

        Assert.Equal("m{job=\"j\", zone=\"a\"}", series.Labels.ToString());
    }

    [Fact]
    public void A_series_sent_again_decodes_to_the_same_labels_however_its_labels_are_written()
    {
        // Decoded twice each: the second decode of the same bytes may come from the decoder's label cache.
        ProtoBuilder[] entries =
        [
            Series(("__name__", "again_total"), ("job", "j"), ("zone", "a")),
            Series(("zone", "a"), ("__name__", "again_total"), ("job", "j")),
            Series(("__name__", "again_total"), ("empty", ""), ("job", "j"), ("zone", "a")),
            Series(("__name__", "again_total"), ("job", "j"), ("zone", "b")),
            Series(("__name__", "again_total"), ("job", "j"), ("zone", "ünïcode")),
            Series(("__name__", "again_total"), ("job", "j"), ("zone", "ünïcode")),
        ];

        var first = RemoteWriteDecoder.Decode(Body(entries)).Timeseries.Select(t => t.Labels.ToString());
        var second = RemoteWriteDecoder.Decode(Body(entries)).Timeseries.Select(t => t.Labels.ToString());

        string[] expected =
        [
            "again_total{job=\"j\", zone=\"a\"}", "again_total{job=\"j\", zone=\"a\"}", "again_total{job=\"j\", zone=\"a\"}",
            "again_total{job=\"j\", zone=\"b\"}", "again_total{job=\"j\", zone=\"ünïcode\"}", "again_total{job=\"j\", zone=\"ünïcode\"}",
        ];
        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
    }

    [Fact]
    public void A_series_that_was_accepted_once_is_still_rejected_when_sent_with_a_bad_label()
    {
        RemoteWriteDecoder.Decode(Body(Series(("__name__", "m"), ("job", "a"))));

        var error = Assert.Throws<RemoteWriteException>(() => RemoteWriteDecoder.Decode(Body(Series(("__name__", "m"), ("job", "a"), ("job", "a")))));

        Assert.Equal("timeseries[0]: duplicate label name \"job\"", error.Message);
    }

    [Fact]
    public void Native_histograms_and_exemplars_are_skipped_and_counted()
    {
        var ts = Series(("__name__", "m"));
        var exemplar = new ProtoBuilder();
        exemplar.Double(2, 1.5);
        ts.Message(3, exemplar);
        var histogram = new ProtoBuilder();
        histogram.Int64(1, 3);
        ts.Message(4, histogram);
        ts.Message(4, histogram);
        ts.String(99, "an unknown field is skipped");

        var decoded = RemoteWriteDecoder.Decode(Body(ts));

        Assert.Equal(2, decoded.SkippedHistogramCount);
        Assert.Equal(1, decoded.Timeseries[0].SkippedExemplars);
        Assert.Single(decoded.Timeseries[0].Samples);
    }

    public static TheoryData<string, string> BadSeries => new()
    {
        { "invalid label", "timeseries[1]: invalid label name \"1a\"" },
        { "dash label", "timeseries[1]: invalid label name \"a-b\"" },
        { "no name", "timeseries[1]: missing metric name (label __name__) in {job=\"j\"}" },
        { "empty name", "timeseries[1]: missing metric name (label __name__) in {job=\"j\"}" },
        { "bad metric name", "timeseries[1]: invalid metric name \"9lives\"" },
        { "duplicate", "timeseries[1]: duplicate label name \"job\"" },
    };

    [Theory]
    [MemberData(nameof(BadSeries))]
    public void Series_with_invalid_labels_are_rejected_with_the_reason(string kind, string expected)
    {
        var bad = kind switch
        {
            "invalid label" => Series(("__name__", "m"), ("1a", "x")),
            "dash label" => Series(("__name__", "m"), ("a-b", "x")),
            "no name" => Series(("job", "j")),
            "empty name" => Series(("__name__", ""), ("job", "j")),
            "bad metric name" => Series(("__name__", "9lives")),
            _ => Series(("__name__", "m"), ("job", "a"), ("job", "b")),
        };

        var error = Assert.Throws<RemoteWriteException>(() => RemoteWriteDecoder.Decode(Body(Series(("__name__", "ok")), bad)));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x05, 0x00 })]
    [InlineData(new byte[] { 0xFF, 0x06, 0x00, 0x00, 0x73, 0x4E, 0x61, 0x50, 0x70, 0x59 })]
    public void A_body_that_is_not_a_snappy_block_is_rejected(byte[] body)
    {
        var error = Assert.Throws<RemoteWriteException>(() => RemoteWriteDecoder.Decode(body));

        Assert.StartsWith("invalid snappy block", error.Message);
    }

    [Fact]
    public void A_snappy_block_cut_short_is_rejected()
    {
        var body = File.ReadAllBytes(Fixtures.Path("remote-write/samples.body.bin"));

        var error = Assert.Throws<RemoteWriteException>(() => RemoteWriteDecoder.Decode(body.AsSpan(0, body.Length - 10)));

        Assert.StartsWith("invalid snappy block", error.Message);
    }

    [Fact]
    public void A_body_larger_than_the_limit_is_rejected_before_decompressing()
    {
        var body = File.ReadAllBytes(Fixtures.Path("remote-write/samples.body.bin"));

        var error = Assert.Throws<RemoteWriteException>(() => RemoteWriteDecoder.Decode(body, maxUncompressedBytes: 1000));

        Assert.Equal("uncompressed body of 2283 bytes exceeds the limit of 1000 bytes", error.Message);
    }

    [Fact]
    public void A_length_preamble_of_4_GiB_is_refused_by_size_in_our_words()
    {
        // 0x80 0x80 0x80 0x80 0x10: the varint 2^32, followed by nothing a decompressor could use.
        var error = Assert.Throws<RemoteWriteException>(() => RemoteWriteDecoder.Decode([0x80, 0x80, 0x80, 0x80, 0x10, 0x00]));

        Assert.Equal("uncompressed body of 4294967296 bytes exceeds the limit of 33554432 bytes", error.Message);
    }

    [Fact]
    public void Every_truncation_of_a_real_protobuf_is_rejected_or_decodes_a_prefix()
    {
        var protobuf = Snappy.DecompressToArray(File.ReadAllBytes(Fixtures.Path("remote-write/samples.body.bin")));

        for (var cut = 1; cut < protobuf.Length; cut++)
        {
            try
            {
                var decoded = RemoteWriteDecoder.DecodeProtobuf(protobuf.AsSpan(0, cut));
                Assert.True(decoded.Timeseries.Count < 15, $"cut at {cut} decoded everything");
            }
            catch (RemoteWriteException e)
            {
                Assert.Matches(@"^(write request|timeseries\[\d+\]): (truncated protobuf message|missing metric name.*)$", e.Message);
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x0A }, "write request: truncated protobuf message")]
    [InlineData(new byte[] { 0x0A, 0x02, 0x12, 0x09 }, "timeseries[0]: truncated protobuf message")]
    [InlineData(new byte[] { 0x0B }, "write request: invalid protobuf field key 11")]
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "write request: malformed protobuf varint")]
    [InlineData(new byte[] { 0x0A, 0x04, 0x12, 0x02, 0x08, 0x01 }, "timeseries[0]: wire type 0 where 1 was expected")]
    public void Corrupt_protobuf_is_rejected_with_the_place_and_reason(byte[] protobuf, string expected)
    {
        var error = Assert.Throws<RemoteWriteException>(() => RemoteWriteDecoder.DecodeProtobuf(protobuf));

        Assert.Equal(expected, error.Message);
    }

    private static ProtoBuilder Series(params (string Name, string Value)[] labels)
    {
        var ts = new ProtoBuilder();
        foreach (var (name, value) in labels)
        {
            var l = new ProtoBuilder();
            l.String(1, name);
            l.String(2, value);
            ts.Message(1, l);
        }
        var s = new ProtoBuilder();
        s.Double(1, 1);
        s.Int64(2, 1000);
        ts.Message(2, s);
        return ts;
    }

    private static byte[] Body(params ProtoBuilder[] series)
    {
        var root = new ProtoBuilder();
        foreach (var ts in series)
        {
            root.Message(1, ts);
        }
        return Snappy.CompressToArray(root.WrittenSpan);
    }

    private static string Show(Label[] labels, IEnumerable<Sample> samples) =>
        string.Join(",", labels.Select(l => $"{l.Name}={l.Value}")) + " " +
        string.Join(" ", samples.Select(s => $"{s.Value.ToString("R", CultureInfo.InvariantCulture)}@{s.TimestampMs}"));
}
