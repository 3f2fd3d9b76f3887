using Vigil.Features.Templates;

namespace Vigil.Tests.Alerting;

/// <summary>Numbers in alert annotations print exactly as Prometheus (Go) prints them.</summary>
public class GoFormatTests
{
    [Theory]
    [InlineData(0.2, "0.2")]
    [InlineData(0.25, "0.25")]
    [InlineData(100, "100")]
    [InlineData(123456, "123456")]
    [InlineData(1000000, "1e+06")]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-3.5, "-3.5")]
    [InlineData(0, "0")]
    [InlineData(0.16666666666666669, "0.16666666666666669")]
    public void Value_prints_like_gos_percent_v(double value, string expected) => Assert.Equal(expected, GoFormat.V(value));

    [Theory]
    [InlineData(0.5, "5E-01")]
    [InlineData(0.4, "4E-01")]
    [InlineData(0.16666666666666666, "1.6666666666666666E-01")]
    [InlineData(0.16666666666666669, "1.6666666666666669E-01")]
    [InlineData(1500, "1.5E+03")]
    [InlineData(0, "0E+00")]
    public void Promtool_sample_values_print_like_format_float_E(double value, string expected) => Assert.Equal(expected, GoFormat.E(value));

    [Theory]
    [InlineData(1234567, "1.235M")]
    [InlineData(999, "999")]
    [InlineData(0.005, "5m")]
    [InlineData(0, "0")]
    public void Humanize_uses_metric_prefixes(double value, string expected) => Assert.Equal(expected, GoFormat.Humanize(value));

    [Theory]
    [InlineData(4294967296, "4Gi")]
    [InlineData(3.5e9, "3.26Gi")]
    [InlineData(512, "512")]
    public void Humanize1024_uses_binary_prefixes(double value, string expected) => Assert.Equal(expected, GoFormat.Humanize1024(value));

    [Theory]
    [InlineData(0.05, "5%")]
    [InlineData(0.123456, "12.35%")]
    [InlineData(0.0015, "0.15%")]
    public void HumanizePercentage_multiplies_by_100(double value, string expected) => Assert.Equal(expected, GoFormat.HumanizePercentage(value));

    [Theory]
    [InlineData(90061, "1d 1h 1m 1s")]
    [InlineData(3600, "1h 0m 0s")]
    [InlineData(61, "1m 1s")]
    [InlineData(5.5, "5.5s")]
    [InlineData(0.25, "250ms")]
    [InlineData(-3600, "-1h 0m 0s")]
    [InlineData(0, "0s")]
    public void HumanizeDuration_reads_like_a_person_would_say_it(double value, string expected) => Assert.Equal(expected, GoFormat.HumanizeDuration(value));
}
