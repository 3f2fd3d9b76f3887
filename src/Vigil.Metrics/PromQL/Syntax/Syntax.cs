using System.Collections.Frozen;

namespace Vigil.Metrics.PromQL;

/// <summary>Keyword and operator tables of PromQL (Prometheus <c>promql/parser/lex.go</c>).</summary>
internal static class Syntax
{
    public static readonly FrozenDictionary<string, AggregationOp> Aggregators = new Dictionary<string, AggregationOp>
    {
        ["sum"] = AggregationOp.Sum,
        ["avg"] = AggregationOp.Avg,
        ["count"] = AggregationOp.Count,
        ["min"] = AggregationOp.Min,
        ["max"] = AggregationOp.Max,
        ["group"] = AggregationOp.Group,
        ["stddev"] = AggregationOp.Stddev,
        ["stdvar"] = AggregationOp.Stdvar,
        ["topk"] = AggregationOp.TopK,
        ["bottomk"] = AggregationOp.BottomK,
        ["count_values"] = AggregationOp.CountValues,
        ["quantile"] = AggregationOp.Quantile,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> Keywords = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "and", "or", "unless", "atan2", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset");

    public static bool IsKeyword(string word) => Keywords.Contains(word);

    public static bool IsAggregator(string word) => Aggregators.ContainsKey(word);

    /// <summary>The binary operator a token stands for, if any.</summary>
    public static BinaryOp? BinaryOperator(Token t) => t.Kind switch
    {
        TokenKind.Operator => t.Text switch
        {
            "+" => BinaryOp.Add,
            "-" => BinaryOp.Sub,
            "*" => BinaryOp.Mul,
            "/" => BinaryOp.Div,
            "%" => BinaryOp.Mod,
            "^" => BinaryOp.Pow,
            "==" => BinaryOp.Eq,
            "!=" => BinaryOp.Ne,
            ">" => BinaryOp.Gt,
            "<" => BinaryOp.Lt,
            ">=" => BinaryOp.Ge,
            "<=" => BinaryOp.Le,
            _ => null,
        },
        TokenKind.Identifier => t.Text.ToLowerInvariant() switch
        {
            "and" => BinaryOp.And,
            "or" => BinaryOp.Or,
            "unless" => BinaryOp.Unless,
            "atan2" => BinaryOp.Atan2,
            _ => null,
        },
        _ => null,
    };

    /// <summary>Binding strength: <c>or</c> &lt; <c>and unless</c> &lt; comparisons &lt; <c>+ -</c> &lt; <c>* / % atan2</c> &lt; <c>^</c>.</summary>
    public static int Precedence(BinaryOp op) => op switch
    {
        BinaryOp.Or => 1,
        BinaryOp.And or BinaryOp.Unless => 2,
        BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Gt or BinaryOp.Lt or BinaryOp.Ge or BinaryOp.Le => 3,
        BinaryOp.Add or BinaryOp.Sub => 4,
        BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod or BinaryOp.Atan2 => 5,
        _ => 6,
    };

    public const int UnaryPrecedence = 6;

    public static bool IsComparison(BinaryOp op) => op is BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Gt or BinaryOp.Lt or BinaryOp.Ge or BinaryOp.Le;

    public static bool IsSetOperator(BinaryOp op) => op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;

    public static string Spell(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Mod => "%",
        BinaryOp.Pow => "^",
        BinaryOp.Atan2 => "atan2",
        BinaryOp.Eq => "==",
        BinaryOp.Ne => "!=",
        BinaryOp.Gt => ">",
        BinaryOp.Lt => "<",
        BinaryOp.Ge => ">=",
        BinaryOp.Le => "<=",
        BinaryOp.And => "and",
        BinaryOp.Or => "or",
        _ => "unless",
    };

    public static string Spell(AggregationOp op) => Aggregators.First(kv => kv.Value == op).Key;

    /// <summary>The short type names Prometheus prints in some errors (<c>ValueType.String()</c>).</summary>
    public static string ValueTypeName(PromValueType t) => t switch
    {
        PromValueType.Scalar => "scalar",
        PromValueType.InstantVector => "vector",
        PromValueType.RangeVector => "matrix",
        PromValueType.String => "string",
        _ => "none",
    };

    public static string Describe(PromValueType t) => t switch
    {
        PromValueType.Scalar => "scalar",
        PromValueType.InstantVector => "instant vector",
        PromValueType.RangeVector => "range vector",
        PromValueType.String => "string",
        _ => "none",
    };
}
