using System.Globalization;
using Vigil.Metrics.PromQL;

namespace Vigil.Metrics.Tests.PromQL;

public sealed class ParserTests
{
    /// <summary>Prints an expression fully parenthesised, so a test sees how operators bound.</summary>
    private static string Shape(Expr e) => e switch
    {
        NumberLiteral n => n.Value.ToString(CultureInfo.InvariantCulture),
        StringLiteral s => $"\"{s.Value}\"",
        VectorSelector v => v.Name ?? "{" + string.Join(",", v.Matchers) + "}",
        MatrixSelector m => $"{Shape(m.Selector)}[{m.RangeMs}]",
        SubqueryExpr q => $"{Shape(q.Inner)}[{q.RangeMs}:{q.StepMs}]",
        ParenExpr p => Shape(p.Inner),
        UnaryExpr u => $"({(u.Negate ? "-" : "+")}{Shape(u.Operand)})",
        BinaryExpr b => $"({Shape(b.Lhs)} {b.Op} {Shape(b.Rhs)})",
        AggregateExpr a => $"{a.Op}({(a.Param is null ? "" : Shape(a.Param) + ", ")}{Shape(a.Inner)})",
        CallExpr c => $"{c.Function.Name}({string.Join(", ", c.Args.Select(Shape))})",
        _ => "?",
    };

    [Theory]
    [InlineData("1 + 2 * 3", "(1 Add (2 Mul 3))")]
    [InlineData("1 - 2 - 3", "((1 Sub 2) Sub 3)")]
    [InlineData("2 ^ 3 ^ 2", "(2 Pow (3 Pow 2))")]
    [InlineData("-a ^ 2", "(-(a Pow 2))")]
    [InlineData("-a * b", "((-a) Mul b)")]
    [InlineData("a or b and c", "(a Or (b And c))")]
    [InlineData("a and b unless c", "((a And b) Unless c)")]
    [InlineData("a > b + c", "(a Gt (b Add c))")]
    [InlineData("a == bool b or c", "((a Eq b) Or c)")]
    [InlineData("a atan2 b * c", "((a Atan2 b) Mul c)")]
    [InlineData("a * b % c / d", "(((a Mul b) Mod c) Div d)")]
    [InlineData("2 ^ -1", "(2 Pow -1)")]
    [InlineData("-1", "-1")]
    [InlineData("sum by (job) (rate(x[5m]))", "Sum(rate(x[300000]))")]
    [InlineData("topk(3, x) without (a)", "TopK(3, x)")]
    [InlineData("count_values(\"v\", x)", "CountValues(\"v\", x)")]
    [InlineData("max_over_time(deriv(x[1h])[30m:1m])", "max_over_time(deriv(x[3600000])[1800000:60000])")]
    [InlineData("sum", "sum")]
    [InlineData("foo * sum", "(foo Mul sum)")]
    [InlineData("0x1F + .5 + 1e3", "((31 Add 0.5) Add 1000)")]
    public void Operators_bind_with_prometheus_precedence(string query, string shape) =>
        Assert.Equal(shape, Shape(PromQLParser.Parse(query)));

    [Theory]
    [InlineData("foo offset 5m @ 100", 300_000L, 100_000L)]
    [InlineData("foo @ 100.5 offset -1h30m", -5_400_000L, 100_500L)]
    [InlineData("foo @ -2", 0L, -2_000L)]
    public void Selector_modifiers_come_in_either_order(string query, long offsetMs, long atMs)
    {
        var vs = Assert.IsType<VectorSelector>(PromQLParser.Parse(query));
        Assert.Equal(offsetMs, vs.OffsetMs);
        Assert.Equal(atMs, vs.AtMs);
    }

    [Fact]
    public void At_start_and_end_are_kept_as_anchors()
    {
        var ms = Assert.IsType<MatrixSelector>(PromQLParser.Parse("foo[5m] @ end()"));
        Assert.Equal(AtAnchor.End, ms.Selector.At);
        var sq = Assert.IsType<SubqueryExpr>(PromQLParser.Parse("foo[5m:] @ start()"));
        Assert.Equal(AtAnchor.Start, sq.At);
        Assert.Equal(0, sq.StepMs);
    }

    [Fact]
    public void Name_matcher_form_selects_the_same_metric()
    {
        var vs = Assert.IsType<VectorSelector>(PromQLParser.Parse("{__name__=\"up\", job=~\"a|b\"}"));
        Assert.Equal("up", vs.Name);
        Assert.Equal(2, vs.Matchers.Count);
    }

    [Theory]
    // Prometheus reports an unclosed parenthesis at the end of the input (recorded: "1:12" for rate(up[5m], promtool "1:38").
    [InlineData("(1 + 2", 1, 7, "unclosed left parenthesis")]
    [InlineData("1 + 2)", 1, 6, "unexpected right parenthesis ')'")]
    [InlineData("1 +", 1, 4, "unexpected end of input")]
    [InlineData("foo +\n  * bar", 2, 3, "unexpected <op:*>")]
    [InlineData("rate(foo)", 1, 6, "expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("abs(foo[5m])", 1, 5, "expected type instant vector in call to function \"abs\", got range vector")]
    [InlineData("sum(foo[5m])", 1, 5, "expected type instant vector in aggregation expression, got range vector")]
    [InlineData("1 == 1", 1, 3, "comparisons between scalars must use BOOL modifier")]
    [InlineData("foo + bool bar", 1, 5, "bool modifier can only be used on comparison operators")]
    [InlineData("1 and foo", 1, 1, "set operator \"and\" not allowed in binary scalar expression")]
    [InlineData("foo and on(a) group_left bar", 1, 1, "no grouping allowed for \"and\" operation")]
    [InlineData("foo + on(a) group_left(a) bar", 1, 5, "label \"a\" must not occur in ON and GROUP clause at once")]
    [InlineData("{}", 1, 1, "vector selector must contain at least one non-empty matcher")]
    [InlineData("foo{__name__=\"bar\"}", 1, 1, "metric name must not be set twice: \"foo\" or \"bar\"")]
    [InlineData("unknown_fn(foo)", 1, 1, "unknown function with name \"unknown_fn\"")]
    [InlineData("round()", 1, 1, "expected at least 1 argument(s) in call to \"round\", got 0")]
    [InlineData("topk(foo)", 1, 1, "wrong number of arguments for aggregate expression provided, expected 2, got 1")]
    [InlineData("(foo + bar)[5m]", 1, 12, "ranges only allowed for vector selectors")]
    [InlineData("foo[5m][1m:]", 1, 1, "subquery is only allowed on instant vector, got matrix instead")]
    [InlineData("sum(foo) offset 5m", 1, 1, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("foo offset 1m offset 2m", 1, 15, "offset may not be set multiple times")]
    [InlineData("foo @ 1 @ 2", 1, 9, "@ <timestamp> may not be set multiple times")]
    [InlineData("foo[0s]", 1, 5, "duration must be greater than 0")]
    [InlineData("foo[5m1h]", 1, 5, "not a valid duration string: \"5m1h\"")]
    // promtool 2.42 (check rules) reports it at the end of the input: 1:10.
    [InlineData("foo{a=\"b\"", 1, 10, "unexpected end of input inside braces")]
    [InlineData("foo{a*\"b\"}", 1, 6, "unexpected character inside braces: '*'")]
    [InlineData("-\"s\"", 1, 1, "unary expression only allowed on expressions of type scalar or instant vector, got \"string\"")]
    [InlineData("1h", 1, 1, "unexpected duration \"1h\"")]
    [InlineData("", 1, 1, "no expression found in input")]
    public void Invalid_queries_report_position_and_prometheus_reason(string query, int line, int column, string reason)
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(query));
        Assert.Equal(reason, e.Reason);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Equal($"{line}:{column}: parse error: {reason}", e.Message);
    }

    // Found by fuzzing (fuzz/run.sh promql): a short octal escape threw FormatException, an escape
    // past U+10FFFF or of a surrogate ArgumentOutOfRangeException, instead of a parse error.
    [Theory]
    [InlineData("label_replace(up, \"a\", \"\\1, \"b\", \"(.*)\")")]
    [InlineData("{a=\"\\4\"}")]
    [InlineData("{a=\"\\777\"}")]
    [InlineData("{a=\"\\uD800\"}")]
    [InlineData("{a=\"\\UFFFFFFFF\"}")]
    [InlineData("{a=\"\\U00110000\"}")]
    public void Malformed_escapes_in_strings_are_parse_errors(string query)
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(query));

        Assert.Contains("parse error", e.Message);
    }

    // Found by fuzzing (fuzz/run.sh promql, CI of 2026-12-05): an octal literal past int64 threw
    // OverflowException. Prometheus tries strconv.ParseInt(s, 0, 64) and on any error ParseFloat.
    [Theory]
    [InlineData("017", 15)]
    [InlineData("019", 19)]
    [InlineData("0777777777777777777777", 9223372036854775807)]
    [InlineData("07777777777777777777777", 7.777777777777777777777e21)]
    [InlineData("0777777777777777777777777777777777777777777777", 7.77777777777777777777777777777777777777777777e44)]
    public void Number_literals_with_a_leading_zero_read_as_go_reads_them(string query, double expected)
    {
        var n = Assert.IsType<NumberLiteral>(PromQLParser.Parse(query));

        Assert.Equal(expected, n.Value);
    }

    [Fact]
    public void Octal_and_unicode_escapes_decode_as_in_go()
    {
        var selector = Assert.IsType<VectorSelector>(PromQLParser.Parse("{a=\"\\101\\u00e9\\U0001F600\"}"));

        Assert.Equal("A\u00e9\U0001F600", selector.Matchers.Single(m => m.Name == "a").Value);
    }

    [Fact]
    public void Absurdly_nested_query_fails_as_a_parse_error()
    {
        var query = new string('(', 100_000) + "1" + new string(')', 100_000);
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.Parse(query));
        Assert.Equal("expression nested too deeply", e.Reason);
    }

    [Theory]
    [InlineData("sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m] offset 1m @ 100.000))")]
    [InlineData("a + on(b) group_left(c) d * 2 ^ 3 ^ 4")]
    [InlineData("topk(3, x) or vector(1) unless -y")]
    [InlineData("max_over_time(deriv(x[1h])[30m:1m] @ end())")]
    [InlineData("{__name__=~\"a|b\", job!=\"x\\\"y\"}")]
    [InlineData("count_values without (a) (\"v\", x)")]
    [InlineData("x offset -5m > bool 1")]
    public void Printed_queries_parse_back_to_the_same_text(string query)
    {
        var printed = PromQLPrinter.Print(PromQLParser.Parse(query));
        Assert.Equal(printed, PromQLPrinter.Print(PromQLParser.Parse(printed)));
    }

    [Fact]
    public void Every_conformance_query_survives_printing_and_reparsing()
    {
        var dir = ConformanceTests.ConformanceDirectory();
        Assert.True(dir is not null, "shared/conformance/promql not found");
        var failures = new List<string>();
        foreach (var file in Directory.GetFiles(dir!, "*.test"))
        {
            var script = Vigil.Metrics.PromQL.Testing.TestScript.Parse(File.ReadAllText(file));
            foreach (var eval in script.Commands.OfType<Vigil.Metrics.PromQL.Testing.EvalCommand>())
            {
                Expr parsed;
                try
                {
                    parsed = PromQLParser.Parse(eval.Query);
                }
                catch (PromQLParseException)
                {
                    continue;
                }
                var printed = PromQLPrinter.Print(parsed);
                var again = PromQLPrinter.Print(PromQLParser.Parse(printed));
                if (printed != again)
                {
                    failures.Add($"{eval.Query} => {printed} => {again}");
                }
            }
        }
        Assert.Empty(failures);
    }
}
