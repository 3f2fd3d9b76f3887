namespace Vigil.Metrics.Tests;

public class LabelsTests
{
    [Fact]
    public void Labels_are_sorted_by_name_and_drop_empty_values()
    {
        var labels = Labels.Of("job", "api", "__name__", "up", "zone", "");

        Assert.Equal(["__name__", "job"], labels.Select(l => l.Name));
        Assert.Equal("up", labels.MetricName);
        Assert.Equal("up{job=\"api\"}", labels.ToString());
    }

    [Fact]
    public void Equal_label_sets_are_equal_whatever_order_they_were_built_in()
    {
        var a = Labels.Of("a", "1", "b", "2");
        var b = Labels.Of("b", "2", "a", "1");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a.With("b", "3"));
    }

    [Fact]
    public void Regex_matchers_are_fully_anchored_like_prometheus()
    {
        var m = new LabelMatcher("status", MatchType.RegexMatch, "5..");

        Assert.True(m.Matches("500"));
        Assert.False(m.Matches("1500"));
        Assert.False(m.Matches("5000"));
        Assert.False(m.Matches("500\n"));
    }

    [Fact]
    public void Stale_marker_is_told_apart_from_an_ordinary_nan()
    {
        Assert.True(Sample.IsStaleNaN(Sample.StaleNaN));
        Assert.False(Sample.IsStaleNaN(double.NaN));
    }
}
