using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.Tests.PromQL;

/// <summary>
/// A range query's aggregation answers at every step what an instant query at that step answers:
/// the same groups, the same values to the bit (sums add their series in the same order), and the
/// groups in the same order for what is evaluated on top of them (topk picks among equal values by
/// that order). The range query aggregates series by series when that pays; the instant query step by step.
/// </summary>
public sealed partial class RangeAggregationTests
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\b((?:rate|max_over_time|changes)\((?:x|\{[^}]*\})\[[^\]]+\](?: offset \w+)?\))")]
    private static partial System.Text.RegularExpressions.Regex RangeFunction();

    private const long Step = 60_000;
    private const long End = 60 * Step;

    private static MemorySampleStore Store()
    {
        var random = new Random(25);
        var store = new MemorySampleStore();
        var appender = store.Appender();
        double[] special = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0];
        for (var i = 0; i < 48; i++)
        {
            var labels = Labels.Of("__name__", "x", "g", ((char)('a' + (i * 7 % 5))).ToString(), "i", i.ToString("D2"));
            // Some series start late and some end early (gone after the 5 m lookback), so groups appear and vanish between steps.
            var from = i % 6 == 0 ? 20 : i % 9 == 0 ? 41 : 0;
            var to = i % 8 == 0 ? 35 : 60;
            for (var minute = from; minute <= to; minute++)
            {
                if (random.Next(10) == 0)
                {
                    continue;
                }
                var value = random.Next(25) == 0 ? special[random.Next(special.Length)] : random.Next(4) == 0 ? random.Next(3) : random.NextDouble() * 1e6;
                appender.Append(labels, minute * Step, value);
            }
        }
        appender.CommitAsync().AsTask().GetAwaiter().GetResult();
        return store;
    }

    public static TheoryData<string> Queries()
    {
        var data = new TheoryData<string>();
        foreach (var op in new[] { "sum", "avg", "count", "min", "max", "group" })
        {
            data.Add($"{op} by (g) (x)");
            data.Add($"{op} without (i) (x)");
            data.Add($"{op}(x)");
            data.Add($"topk(2, {op} by (g) (x))");
            data.Add($"bottomk(1, {op} by (g) (x))");
            // Over a range function, whose series go into the groups without its whole result in memory.
            data.Add($"{op} by (g) (rate(x[5m]))");
            data.Add($"topk(2, {op} by (g) (max_over_time(x[3m])))");
            data.Add($"{op} by (g) (rate(x[10m:2m]))");
        }
        data.Add("sum by (__name__, g) (last_over_time(x[5m]))");
        data.Add("count(changes(x[7m] offset 3m))");
        data.Add("sum by (i) (rate(x[5m]))");
        // rate drops the metric name, so a key that keeps it has none.
        data.Add("count by (__name__, g) (rate(x[5m]))");
        data.Add("max without (i) (rate({__name__=\"x\", g=~\"a|b\"}[5m]))");
        // Few enough series per group that it runs step by step: the same answers.
        data.Add("sum by (i) (x)");
        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Each_step_of_a_range_aggregation_is_the_instant_aggregation_at_that_step(string query)
    {
        var store = Store();
        var engine = new PromQLEngine();
        var range = engine.RangeQuery(store, query, 0, End, Step);
        // An aggregation of a range function goes into the groups' cells as an instant query too; the
        // function's result times one (bit for bit the same values) is aggregated from the whole vector.
        var reference = RangeFunction().Replace(query, "($1 * 1)");
        for (var at = 0L; at <= End; at += Step)
        {
            var expected = ((VectorValue)engine.InstantQuery(store, reference, at)).Samples
                .Select(s => $"{s.Labels} {BitConverter.DoubleToInt64Bits(s.Value):x}").Order(StringComparer.Ordinal).ToList();
            var actual = range.Series.SelectMany(s => s.Points.Where(p => p.TimestampMs == at).Select(p => $"{s.Labels} {BitConverter.DoubleToInt64Bits(p.Value):x}"))
                .Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(actual), $"{query} at {at / Step} m:\ninstant {string.Join("; ", expected)}\nrange   {string.Join("; ", actual)}");
        }
    }

    [Fact]
    public async Task A_range_function_that_makes_two_series_one_fails_inside_an_aggregation_as_on_its_own()
    {
        var store = new MemorySampleStore();
        var appender = store.Appender();
        foreach (var name in new[] { "x", "y" })
        {
            for (var minute = 0; minute <= 10; minute++)
            {
                appender.Append(Labels.Of("__name__", name, "job", "api"), minute * Step, minute);
            }
        }
        await appender.CommitAsync();
        var engine = new PromQLEngine();
        foreach (var query in new[] { "rate({job=\"api\"}[5m])", "sum(rate({job=\"api\"}[5m]))" })
        {
            var e = Assert.Throws<PromQLEvaluationException>(() => engine.RangeQuery(store, query, 0, 10 * Step, Step));
            Assert.Equal("vector cannot contain metrics with the same labelset", e.Message);
        }
    }
}
