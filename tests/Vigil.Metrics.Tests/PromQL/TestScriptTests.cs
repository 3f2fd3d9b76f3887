using Vigil.Metrics.PromQL;
using Vigil.Metrics.PromQL.Testing;

namespace Vigil.Metrics.Tests.PromQL;

public sealed class TestScriptTests
{
    [Theory]
    [InlineData("1 2 3", "1 2 3")]
    [InlineData("0+10x3", "0 10 20 30")]
    [InlineData("5-2x2", "5 3 1")]
    [InlineData("-1+1x2", "-1 0 1")]
    [InlineData("7x2", "7 7 7")]
    [InlineData("1 _ 2", "1 _ 2")]
    [InlineData("_x3 4", "_ _ _ 4")]
    [InlineData("1e3 -Inf NaN", "1000 -Inf NaN")]
    [InlineData("1e-1+1e-1x1", "0.1 0.2")]
    public void Series_notation_expands_to_one_value_per_step(string notation, string expanded)
    {
        var values = SeriesNotation.ParseValues(notation);
        var text = string.Join(" ", values.Select(v => v.Omitted ? "_" : Numbers.Format(v.Value).Replace("+Inf", "Inf", StringComparison.Ordinal)));
        Assert.Equal(expanded, text);
    }

    [Fact]
    public void Stale_is_the_staleness_marker_not_a_plain_nan()
    {
        var values = SeriesNotation.ParseValues("1 stale");
        Assert.True(Sample.IsStaleNaN(values[1].Value));
    }

    [Theory]
    [InlineData("up{job=\"api\", instance=\"a:1\"} 1", "up{instance=\"a:1\", job=\"api\"}")]
    [InlineData("{__name__=\"up\", job=\"x\"} 1", "up{job=\"x\"}")]
    [InlineData("metric:rule 1", "metric:rule")]
    [InlineData("{a=\"b c\"} 1", "{a=\"b c\"}")]
    public void Series_lines_name_their_labels(string line, string labels) =>
        Assert.Equal(labels, SeriesNotation.ParseSeries(line).Labels.ToString());

    [Fact]
    public void Invalid_series_values_name_the_line()
    {
        var e = Assert.Throws<FormatException>(() => TestScript.Parse("load 1m\n  x 1 abc\n"));
        Assert.StartsWith("line 2:", e.Message);
    }

    [Fact]
    public void Runner_reports_expected_and_actual_values_of_a_wrong_expectation()
    {
        var outcomes = TestScriptRunner.Run(TestScript.Parse("""
            load 1m
              x{a="1"} 1

            eval instant at 0 x
              x{a="1"} 2
            """));
        var o = Assert.Single(outcomes);
        Assert.False(o.Passed);
        Assert.Contains("expected 2 for x{a=\"1\"} but got 1", o.Failure);
    }

    [Fact]
    public void Eval_fail_passes_only_when_every_variant_fails()
    {
        var outcomes = TestScriptRunner.Run(TestScript.Parse("""
            load 1m
              x{a="1"} 1
              x{a="2"} 1

            eval_fail instant at 1m label_replace(x, "a", "same", "", "")

            eval_fail instant at 1m x
            """));
        Assert.True(outcomes[0].Passed, outcomes[0].Failure);
        Assert.False(outcomes[1].Passed);
        Assert.Contains("expected an error", outcomes[1].Failure);
    }

    [Fact]
    public void Ordered_eval_checks_the_order_and_unordered_does_not()
    {
        var outcomes = TestScriptRunner.Run(TestScript.Parse("""
            load 1m
              x{a="1"} 2
              x{a="2"} 1

            eval_ordered instant at 0 sort(x)
              x{a="1"} 2
              x{a="2"} 1

            eval instant at 0 sort(x)
              x{a="1"} 2
              x{a="2"} 1
            """));
        Assert.False(outcomes[0].Passed);
        Assert.True(outcomes[1].Passed, outcomes[1].Failure);
    }

    [Theory]
    [InlineData("rate(x[5m])", 60_000L, new[] { -600_000L, 0, 12_000, 60_000, 600_000 })]
    [InlineData("x", 0L, new[] { -1_000L, 0, 1_000 })]
    [InlineData("sum_over_time(vector(time())[1m:])", 60_000L, new[] { -600_000L, 0, 12_000, 60_000, 600_000 })]
    [InlineData("time() + x", 60_000L, null)]
    [InlineData("timestamp(x)", 60_000L, null)]
    public void At_variants_run_at_multiples_of_T_unless_time_functions_are_used_outside_subqueries(string query, long t, long[]? times)
    {
        var variants = AtModifierVariants.For(PromQLParser.Parse(query), t);
        Assert.Equal(times, variants?.Times);
    }

    [Fact]
    public void At_variants_pin_selectors_but_not_those_inside_subqueries()
    {
        var (expr, _) = AtModifierVariants.For(PromQLParser.Parse("x + max_over_time(y[5m:]) + z @ 5"), 60_000)!.Value;
        var sum = Assert.IsType<BinaryExpr>(expr);
        var inner = Assert.IsType<BinaryExpr>(sum.Lhs);
        Assert.Equal(60_000, Assert.IsType<VectorSelector>(inner.Lhs).AtMs);
        var subquery = Assert.IsType<SubqueryExpr>(Assert.IsType<CallExpr>(inner.Rhs).Args[0]);
        Assert.Equal(60_000, subquery.AtMs);
        Assert.Null(Assert.IsType<VectorSelector>(subquery.Inner).AtMs);
        Assert.Equal(5_000, Assert.IsType<VectorSelector>(sum.Rhs).AtMs);
    }
}
