using Vigil.Web.Charts;

namespace Vigil.Tests.Web;

public class ChartScaleTests
{
    [Theory]
    [InlineData(0, 100, "0,20,40,60,80,100")]
    [InlineData(0.12, 0.97, "0,0.2,0.4,0.6,0.8,1")]
    [InlineData(3.9e9, 4.5e9, "3900000000,4000000000,4100000000,4200000000,4300000000,4400000000,4500000000")]
    [InlineData(5, 5, "5,5.1,5.2,5.3,5.4,5.5")]
    public void Value_ticks_are_round_numbers_covering_the_range(double min, double max, string expected) =>
        Assert.Equal(expected, string.Join(",", ChartScale.NiceTicks(min, max).Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    [Theory]
    [InlineData(3, 3.0000000000000004)]
    [InlineData(12, 12.000000000000002)]
    [InlineData(1e15, 1e15 + 0.25)]
    public void Values_that_differ_only_in_their_last_bits_get_a_few_ticks_as_a_flat_line(double min, double max)
    {
        // rate(hits) / rate(misses) gives such values; the ticks loop used to run until memory ran out.
        var ticks = ChartScale.NiceTicks(min, max);

        Assert.InRange(ticks.Count, 2, 12);
        Assert.True(ticks[0] <= min && ticks[^1] >= max, string.Join(",", ticks));
    }

    [Fact]
    public void Time_ticks_fall_on_round_intervals()
    {
        var ticks = ChartScale.TimeTicks(1_700_000_000_000, 1_700_003_600_000);

        Assert.All(ticks, t => Assert.Equal(0, t % 900_000));
        Assert.InRange(ticks.Count, 3, 6);
    }

    [Theory]
    [InlineData(1500, "1.5k")]
    [InlineData(2_000_000, "2M")]
    [InlineData(0.25, "0.25")]
    [InlineData(0, "0")]
    [InlineData(4e9, "4G")]
    public void Axis_values_are_short(double value, string expected) => Assert.Equal(expected, ChartScale.FormatValue(value));

    [Fact]
    public void Stacked_series_sit_on_the_sum_of_those_before_them_at_each_time()
    {
        var a = new ChartSeries("a", [new(0, 1), new(1000, 2), new(2000, 3)]);
        // b has no value at 1000 (NaN) and none at all at 2000: it adds nothing there.
        var b = new ChartSeries("b", [new(0, 10), new(1000, double.NaN)]);
        var c = new ChartSeries("c", [new(0, 100), new(1000, 100), new(2000, 100)]);

        var stacked = ChartStack.Stack([a, b, c]);

        Assert.Equal([new StackedPoint(0, 0, 1), new(1000, 0, 2), new(2000, 0, 3)], stacked[0]);
        Assert.Equal(new StackedPoint(0, 1, 11), stacked[1][0]);
        Assert.True(double.IsNaN(stacked[1][1].Upper));
        Assert.Equal([new StackedPoint(0, 11, 111), new(1000, 2, 102), new(2000, 3, 103)], stacked[2]);
    }
}
