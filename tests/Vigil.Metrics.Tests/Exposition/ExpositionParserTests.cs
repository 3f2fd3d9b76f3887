using System.Text;
using Vigil.Metrics.Exposition;

namespace Vigil.Metrics.Tests.Exposition;

public class ExpositionParserTests
{
    private static ExpositionResult Text(string s) => ExpositionParser.Parse(s, ExpositionFormat.PrometheusText);

    private static ExpositionResult OpenMetrics(string s) => ExpositionParser.Parse(s, ExpositionFormat.OpenMetrics);

    [Fact]
    public void Text_format_yields_samples_with_labels_values_timestamps_and_family_metadata()
    {
        var result = Text("""
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # A plain comment is ignored.
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.99"} NaN
            something_weird{problem="division by zero"} +Inf -3982045
            colon:name -Inf
            """);

        Assert.Equal(
            [
                "http_requests_total{code=\"200\", method=\"post\"} 1027 @1395066363000",
                "http_requests_total{code=\"400\", method=\"post\"} 3 @1395066363000",
                "msdos_file_access_time_seconds{error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\", path=\"C:\\\\DIR\\\\FILE.TXT\"} 1458255915 @-",
                "metric_without_timestamp_and_labels 12.47 @-",
                "rpc_duration_seconds{quantile=\"0.99\"} NaN @-",
                "something_weird{problem=\"division by zero\"} Infinity @-3982045",
                "colon:name -Infinity @-",
            ],
            result.Samples.Select(Show));
        Assert.Equal("Cannot find file:\n\"FILE.TXT\"", result.Samples[2].Labels.Get("error"));
        Assert.Equal(
            [
                new MetricMetadata("http_requests_total", MetricType.Counter, "The total number of HTTP requests.", ""),
                new MetricMetadata("rpc_duration_seconds", MetricType.Summary, "", ""),
            ],
            result.Metadata);
    }

    [Theory]
    [InlineData("counter", MetricType.Counter)]
    [InlineData("gauge", MetricType.Gauge)]
    [InlineData("histogram", MetricType.Histogram)]
    [InlineData("summary", MetricType.Summary)]
    [InlineData("untyped", MetricType.Unknown)]
    public void Text_format_types_are_read_like_prometheus(string written, MetricType expected)
    {
        var result = Text($"# TYPE m {written}\nm 1\n");

        Assert.Equal(expected, Assert.Single(result.Metadata).Type);
    }

    [Fact]
    public void Help_text_unescapes_backslash_and_newline()
    {
        var result = Text("# HELP m first\\nsecond \\\\ \\t\nm 1\n");

        Assert.Equal("first\nsecond \\ \\t", Assert.Single(result.Metadata).Help);
    }

    [Fact]
    public void Label_values_keep_unknown_escapes_as_written_like_prometheus()
    {
        var sample = Assert.Single(Text("m{a=\"x\\ty\"} 1").Samples);

        Assert.Equal("x\\ty", sample.Labels.Get("a"));
    }

    [Fact]
    public void Empty_label_values_are_dropped_and_trailing_commas_allowed()
    {
        var sample = Assert.Single(Text("m{a=\"\", b = \"2\" ,} 1").Samples);

        Assert.Equal("m{b=\"2\"}", sample.Labels.ToString());
    }

    [Fact]
    public void Openmetrics_yields_samples_with_second_timestamps_units_and_all_types()
    {
        var result = OpenMetrics("""
            # TYPE acme_http_router_request_seconds summary
            # UNIT acme_http_router_request_seconds seconds
            # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
            acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32 1520879607.789
            acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
            acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
            # TYPE foo counter
            foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879606.1
            foo_created 1520430000.123
            # TYPE hist histogram
            hist_bucket{le="+Inf"} 3 # {trace_id="a"} 1.5
            # TYPE gh gaugehistogram
            gh_gcount 2
            # TYPE state stateset
            state{state="a"} 1
            # TYPE build info
            build_info{version="1"} 1
            # TYPE other unknown
            other 1
            # EOF
            """);

        Assert.Equal(
            [
                "acme_http_router_request_seconds_sum{method=\"GET\", path=\"/api/v1\"} 9036.32 @1520879607789",
                "acme_http_router_request_seconds_count{method=\"GET\", path=\"/api/v1\"} 807283 @-",
                "acme_http_router_request_seconds_created{method=\"GET\", path=\"/api/v1\"} 1605281325 @-",
                "foo_total 17 @1520879607789",
                "foo_created 1520430000.123 @-",
                "hist_bucket{le=\"+Inf\"} 3 @-",
                "gh_gcount 2 @-",
                "state{state=\"a\"} 1 @-",
                "build_info{version=\"1\"} 1 @-",
                "other 1 @-",
            ],
            result.Samples.Select(Show));
        Assert.Equal(
            [
                new MetricMetadata("acme_http_router_request_seconds", MetricType.Summary, "Latency though all of ACME's HTTP request router.", "seconds"),
                new MetricMetadata("foo", MetricType.Counter, "", ""),
                new MetricMetadata("hist", MetricType.Histogram, "", ""),
                new MetricMetadata("gh", MetricType.GaugeHistogram, "", ""),
                new MetricMetadata("state", MetricType.StateSet, "", ""),
                new MetricMetadata("build", MetricType.Info, "", ""),
                new MetricMetadata("other", MetricType.Unknown, "", ""),
            ],
            result.Metadata);
    }

    public static TheoryData<string, string> TextErrors => new()
    {
        { "m 1\nm{1a=\"x\"} 1", "line 2: invalid label name \"1a\"" },
        { "m{a-b=\"x\"} 1", "line 1: invalid label name \"a-b\"" },
        { "1m 1", "line 1: invalid metric name \"1m\"" },
        { "m-x 1", "line 1: invalid metric name \"m-x\"" },
        { "{a=\"b\"} 1", "line 1: invalid metric name \"\"" },
        { "\n\nm{a=\"1\",a=\"2\"} 1", "line 3: duplicate label name \"a\"" },
        { "m{__name__=\"n\"} 1", "line 1: duplicate label name \"__name__\"" },
        { "m{a=\"1\"", "line 1: unterminated label set" },
        { "m{a=\"1} 2", "line 1: unterminated value of label \"a\"" },
        { "m{a=1} 2", "line 1: expected '\"' to start the value of label \"a\"" },
        { "m{a} 2", "line 1: expected '=' after label name \"a\"" },
        { "m{a=\"1\" b=\"2\"} 1", "line 1: expected ',' or '}' after the value of label \"a\"" },
        { "m", "line 1: missing value" },
        { "m{a=\"1\"}", "line 1: missing value" },
        { "m{a=\"1\"}1", "line 1: expected a space before the value" },
        { "m abc", "line 1: invalid value \"abc\"" },
        { "m 1 1.5", "line 1: invalid timestamp \"1.5\"" },
        { "m 1 2 3", "line 1: unexpected text after the sample: \"3\"" },
        { "m 1 # {a=\"b\"} 1", "line 1: unexpected text after the sample: \"# {a=\"b\"} 1\"" },
        { "# TYPE m bogus\nm 1", "line 1: invalid metric type \"bogus\"" },
        { "# TYPE m gaugehistogram", "line 1: invalid metric type \"gaugehistogram\"" },
        { "# TYPE m", "line 1: invalid metric type \"\"" },
        { "# HELP 9m text", "line 1: invalid metric name \"9m\" in # HELP" },
    };

    [Theory]
    [MemberData(nameof(TextErrors))]
    public void Text_format_errors_name_the_line_and_the_reason(string input, string expected)
    {
        var error = Assert.Throws<ExpositionException>(() => Text(input));

        Assert.Equal(expected, error.Message);
    }

    public static TheoryData<string, string> OpenMetricsErrors => new()
    {
        { "m 1\n", "line 1: data does not end with # EOF" },
        { "", "line 1: data does not end with # EOF" },
        { "m 1\n# EOF\nm 2\n", "line 3: unexpected data after # EOF" },
        { "m 1\n\n# EOF\n", "line 2: empty line (OpenMetrics allows none)" },
        { "# a comment\n# EOF\n", "line 1: invalid comment: OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF" },
        { "# TYPE m untyped\n# EOF\n", "line 1: invalid metric type \"untyped\"" },
        { "# UNIT m_bytes seconds\n# EOF\n", "line 1: unit \"seconds\" is not a suffix of metric \"m_bytes\"" },
        { "m 1 NaN\n# EOF\n", "line 1: invalid timestamp \"NaN\"" },
        { "m 1 # a\n# EOF\n", "line 1: invalid exemplar: expected \" # {\"" },
        { "m 1 # {1=\"a\"} 1\n# EOF\n", "line 1: invalid label name \"1\"" },
        { "m 1 # {a=\"a\"}\n# EOF\n", "line 1: invalid exemplar: missing value" },
    };

    [Theory]
    [MemberData(nameof(OpenMetricsErrors))]
    public void Openmetrics_errors_name_the_line_and_the_reason(string input, string expected)
    {
        var error = Assert.Throws<ExpositionException>(() => OpenMetrics(input));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_label_value_is_an_error()
    {
        var bytes = Encoding.ASCII.GetBytes("m{a=\"x\"} 1").ToArray();
        bytes[5] = 0xFF;

        var error = Assert.Throws<ExpositionException>(() => ExpositionParser.Parse(bytes, ExpositionFormat.PrometheusText));

        Assert.Equal("line 1: invalid UTF-8 in the value of label \"a\"", error.Message);
    }

    [Fact]
    public void A_large_scrape_reuses_label_strings_across_lines_and_scrapes()
    {
        var sb = new StringBuilder("# TYPE http_requests_total counter\n");
        for (var i = 0; i < 10_000; i++)
        {
            sb.Append("http_requests_total{handler=\"/api/").Append(i % 100).Append("\",code=\"200\"} ").Append(i).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        var cache = new LabelStringCache();

        var first = ExpositionParser.Parse(bytes, ExpositionFormat.PrometheusText, cache);
        var second = ExpositionParser.Parse(bytes, ExpositionFormat.PrometheusText, cache);

        Assert.Equal(10_000, first.Samples.Count);
        Assert.Same(first.Samples[0].Labels.Get("handler"), second.Samples[100].Labels.Get("handler"));
        Assert.Same(first.Samples[0].Labels.MetricName, first.Samples[9_999].Labels.MetricName);
    }

    [Theory]
    [InlineData("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat.OpenMetrics)]
    [InlineData("text/plain; version=0.0.4; charset=utf-8", ExpositionFormat.PrometheusText)]
    [InlineData(null, ExpositionFormat.PrometheusText)]
    [InlineData("application/json", ExpositionFormat.PrometheusText)]
    public void Content_type_chooses_the_parser_like_prometheus(string? contentType, ExpositionFormat expected)
    {
        Assert.Equal(expected, ExpositionFormats.FromContentType(contentType));
    }

    private static string Show(ExposedSample s) =>
        $"{s.Labels} {s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} @{(s.TimestampMs is { } t ? t.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")}";
}
