using Vigil.Metrics.PromQL;
using Vigil.Metrics.PromQL.Testing;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.Tests.PromQL;

/// <summary>Tricky PromQL semantics, each case a small test script judged like Prometheus's own runner.</summary>
public sealed class EngineSemanticsTests
{
    public static TheoryData<string, string> Scripts => new()
    {
        {
            "lookback_includes_a_sample_exactly_5m_old_and_not_older",
            """
            load 1m
              x 1 _x10

            eval instant at 5m x
              x 1

            eval instant at 5m1ms x
            """
        },
        {
            "a_staleness_marker_ends_the_series_at_once",
            """
            load 1m
              x 1 2 stale 4

            eval instant at 1m30s x
              x 2

            eval instant at 2m30s x

            eval instant at 3m x
              x 4

            eval instant at 3m count_over_time(x[3m])
              {} 3
            """
        },
        {
            "rate_extrapolates_to_the_window_edges_but_not_below_a_counters_zero",
            """
            load 1m
              c 0 10 20 5 15

            eval instant at 4m increase(c[4m])
              {} 35

            eval instant at 3m30s increase(c[4m])
              {} 29.166666666666668

            eval instant at 4m resets(c[4m])
              {} 1

            eval instant at 4m irate(c[4m])
              {} 0.16666666666666666

            eval instant at 4m delta(c[4m])
              {} 15
            """
        },
        {
            "negative_offset_and_at_modifier_look_ahead_of_the_evaluation_time",
            """
            load 1m
              x 0+1x10

            eval instant at 2m x offset -3m
              x 5

            eval instant at 2m x @ 600
              x 10

            eval instant at 0 sum_over_time(x[2m] @ 300)
              {} 12
            """
        },
        {
            "subquery_steps_align_to_multiples_of_the_step",
            """
            load 10s
              x 0+1x100

            eval instant at 95s count_over_time(x[60s:20s])
              {} 3

            eval instant at 100s count_over_time(x[60s:20s])
              {} 4
            """
        },
        {
            "arithmetic_drops_the_metric_name_and_comparisons_keep_it",
            """
            load 1m
              x{a="1"} 5

            eval instant at 0 x + 1
              {a="1"} 6

            eval instant at 0 x > 1
              x{a="1"} 5

            eval instant at 0 x > bool 1
              {a="1"} 1

            eval instant at 0 -x
              {a="1"} -5
            """
        },
        {
            "one_to_one_matching_refuses_many_to_many",
            """
            load 1m
              l{a="1", b="x"} 1
              l{a="1", b="y"} 2
              r{a="1"} 10

            eval_fail instant at 0 r + on(a) l

            eval instant at 0 l + on(a) group_left r
              {a="1", b="x"} 11
              {a="1", b="y"} 12
            """
        },
        {
            "functions_that_drop_the_name_may_collide",
            """
            load 1m
              x{__name__="x", a="1"} 1
              y{a="1"} 2

            eval_fail instant at 0 abs({a="1"})

            eval instant at 0 last_over_time({a="1"}[1m])
              x{a="1"} 1
              y{a="1"} 2
            """
        },
        {
            "histogram_quantile_interpolates_and_fixes_non_monotonic_buckets",
            """
            load 1m
              h{le="1"} 4
              h{le="2"} 2
              h{le="4"} 16
              h{le="+Inf"} 20

            eval instant at 0 histogram_quantile(0.5, h)
              {} 3

            eval instant at 0 histogram_quantile(0.99, h)
              {} 4
            """
        },
        {
            "absent_labels_come_from_equality_matchers",
            """
            load 1m
              x{a="1"} 1

            eval instant at 0 absent(nope{a="b", c=~"d"})
              {a="b"} 1

            eval instant at 0 absent_over_time(nope{job="j"}[1m])
              {job="j"} 1
            """
        },
        {
            "count_values_and_label_replace_use_go_formatting_and_templates",
            """
            load 1m
              x{a="1"} 1e21
              x{a="2"} 0.5

            eval instant at 0 count_values("v", x)
              {v="1000000000000000000000"} 1
              {v="0.5"} 1

            eval instant at 0 label_replace(x{a="2"}, "b", "$1x-${1}x", "a", "(.*)")
              x{a="2", b="-2x"} 0.5
            """
        },
        {
            "date_functions_match_go_even_for_values_that_are_no_time",
            """
            load 1m
              t{v="nan"} NaN
              t{v="now"} 1700000000

            eval instant at 0 year(t)
              {v="nan"} 292277026596
              {v="now"} 2023

            eval instant at 0 minute(t)
              {v="nan"} 30
              {v="now"} 13

            eval instant at 0 day_of_week(t)
              {v="nan"} 0
              {v="now"} 2

            eval instant at 0 day_of_year(t)
              {v="nan"} 339
              {v="now"} 318

            eval instant at 0 days_in_month(t)
              {v="nan"} 31
              {v="now"} 30
            """
        },
        {
            "topk_and_sort_order_results",
            """
            load 1m
              x{a="1"} 3
              x{a="2"} NaN
              x{a="3"} 5

            eval_ordered instant at 0 topk(2, x)
              x{a="3"} 5
              x{a="1"} 3

            eval_ordered instant at 0 sort_desc(x)
              x{a="3"} 5
              x{a="1"} 3
              x{a="2"} NaN
            """
        },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_case_passes_like_in_prometheus(string name, string script)
    {
        var outcomes = TestScriptRunner.Run(TestScript.Parse(script));
        var failures = outcomes.Where(o => !o.Passed).Select(o => $"{name} line {o.Line}: {o.Query}: {o.Failure}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static MemorySampleStore Store(string series, long intervalMs = 60_000)
    {
        var store = new MemorySampleStore();
        var appender = store.Appender();
        foreach (var line in series.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var s = SeriesNotation.ParseSeries(line);
            for (var i = 0; i < s.Values.Count; i++)
            {
                if (!s.Values[i].Omitted)
                {
                    appender.Append(s.Labels, i * intervalMs, s.Values[i].Value);
                }
            }
        }
        appender.CommitAsync().AsTask().GetAwaiter().GetResult();
        return store;
    }

    [Fact]
    public void Range_query_returns_one_point_per_step_sorted_by_labels()
    {
        var store = Store("x{a=\"2\"} 0+1x10\nx{a=\"1\"} 0+2x10");
        var result = new PromQLEngine().RangeQuery(store, "x", 0, 300_000, 60_000);
        Assert.Equal(["x{a=\"1\"}", "x{a=\"2\"}"], result.Series.Select(s => s.Labels.ToString()));
        Assert.Equal([0.0, 2, 4, 6, 8, 10], result.Series[0].Points.Select(p => p.Value));
        Assert.Equal([0L, 60_000, 120_000, 180_000, 240_000, 300_000], result.Series[0].Points.Select(p => p.TimestampMs));
    }

    [Fact]
    public void At_start_and_end_refer_to_the_range_query_bounds()
    {
        var store = Store("x 0+1x10");
        var engine = new PromQLEngine();
        var atStart = engine.RangeQuery(store, "x @ start()", 120_000, 240_000, 60_000);
        var atEnd = engine.RangeQuery(store, "x @ end()", 120_000, 240_000, 60_000);
        Assert.All(atStart.Series[0].Points, p => Assert.Equal(2, p.Value));
        Assert.All(atEnd.Series[0].Points, p => Assert.Equal(4, p.Value));
    }

    [Fact]
    public void Query_over_the_sample_limit_fails()
    {
        var store = Store("x 0+1x100");
        var engine = new PromQLEngine(new PromQLEngineOptions { MaxSamples = 50 });
        var e = Assert.Throws<PromQLEvaluationException>(() => engine.RangeQuery(store, "x", 0, 6_000_000, 60_000));
        Assert.Contains("too many samples", e.Message);
        Assert.Single(((VectorValue)engine.InstantQuery(store, "x", 6_000_000)).Samples);
    }

    [Fact]
    public void Cancelled_query_stops()
    {
        var store = Store("x 0+1x100");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new PromQLEngine().RangeQuery(store, "rate(x[5m])", 0, 6_000_000, 60_000, cts.Token));
    }

    [Fact]
    public void Range_query_of_a_range_vector_is_refused()
    {
        var e = Assert.Throws<PromQLEvaluationException>(() => new PromQLEngine().RangeQuery(new MemorySampleStore(), "x[5m]", 0, 60_000, 60_000));
        Assert.Contains("invalid expression type \"range vector\" for range query", e.Message);
    }

    [Fact]
    public void Instant_query_returns_scalars_strings_and_matrices_as_such()
    {
        var store = Store("x 1 2 3");
        var engine = new PromQLEngine();
        Assert.Equal(new ScalarValue(1000, 3), engine.InstantQuery(store, "1 + 2", 1000));
        Assert.Equal(new StringValue(1000, "hi"), engine.InstantQuery(store, "\"hi\"", 1000));
        var m = Assert.IsType<MatrixValue>(engine.InstantQuery(store, "x[2m]", 120_000));
        Assert.Equal([1.0, 2, 3], m.Series[0].Points.Select(p => p.Value));
    }

    [Fact]
    public void Default_subquery_step_comes_from_the_options()
    {
        var store = Store("x 0+1x100", 10_000);
        var engine = new PromQLEngine(new PromQLEngineOptions { DefaultSubqueryStep = TimeSpan.FromSeconds(30) });
        var v = Assert.IsType<VectorValue>(engine.InstantQuery(store, "count_over_time(x[2m:])", 600_000));
        Assert.Equal(5, v.Samples[0].Value);
    }
}
