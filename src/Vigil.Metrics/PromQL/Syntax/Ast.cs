namespace Vigil.Metrics.PromQL;

/// <summary>The type a PromQL expression evaluates to.</summary>
public enum PromValueType
{
    /// <summary>No value (only for invalid expressions).</summary>
    None,
    /// <summary>A single number.</summary>
    Scalar,
    /// <summary>One sample per series at each evaluation time.</summary>
    InstantVector,
    /// <summary>A window of samples per series.</summary>
    RangeVector,
    /// <summary>A string literal.</summary>
    String,
}

/// <summary>Which query boundary an <c>@ start()</c> / <c>@ end()</c> modifier refers to.</summary>
public enum AtAnchor
{
    /// <summary>No anchor: the modifier is absent or holds a fixed timestamp.</summary>
    None,
    /// <summary><c>@ start()</c>.</summary>
    Start,
    /// <summary><c>@ end()</c>.</summary>
    End,
}

/// <summary>A node of a parsed PromQL expression.</summary>
public abstract record Expr
{
    /// <summary>Byte offset of the node's first character in the query text.</summary>
    public int Position { get; init; }

    /// <summary>The type the expression evaluates to.</summary>
    public abstract PromValueType Type { get; }
}

/// <summary>A number literal such as <c>1.5</c>, <c>0x1F</c>, <c>Inf</c>.</summary>
/// <param name="Value">The number.</param>
public sealed record NumberLiteral(double Value) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.Scalar;
}

/// <summary>A string literal.</summary>
/// <param name="Value">The unquoted string.</param>
public sealed record StringLiteral(string Value) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.String;
}

/// <summary>An instant vector selector such as <c>http_requests_total{job="api"} offset 5m @ 100</c>.</summary>
/// <param name="Name">The metric name written before the braces, or null.</param>
/// <param name="Matchers">All matchers, including one for <c>__name__</c> when a name was given.</param>
public sealed record VectorSelector(string? Name, IReadOnlyList<LabelMatcher> Matchers) : Expr
{
    /// <summary>Whether an <c>offset</c> modifier was written (even <c>offset 0s</c>).</summary>
    internal bool OffsetWritten { get; init; }

    /// <summary>The <c>offset</c> in milliseconds (negative offsets look ahead).</summary>
    public long OffsetMs { get; init; }

    /// <summary>The fixed <c>@</c> timestamp in milliseconds, or null.</summary>
    public long? AtMs { get; init; }

    /// <summary>Whether the <c>@</c> modifier is <c>start()</c> or <c>end()</c>.</summary>
    public AtAnchor At { get; init; }

    /// <inheritdoc />
    public override PromValueType Type => PromValueType.InstantVector;
}

/// <summary>A range vector selector: a vector selector with a window, <c>x[5m]</c>.</summary>
/// <param name="Selector">The selector, carrying offset and <c>@</c>.</param>
/// <param name="RangeMs">The window length in milliseconds.</param>
public sealed record MatrixSelector(VectorSelector Selector, long RangeMs) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.RangeVector;
}

/// <summary>A subquery, <c>expr[range:step]</c>.</summary>
/// <param name="Inner">The instant-vector expression evaluated at each step.</param>
/// <param name="RangeMs">The window length in milliseconds.</param>
/// <param name="StepMs">The step in milliseconds; 0 means the engine's default.</param>
public sealed record SubqueryExpr(Expr Inner, long RangeMs, long StepMs) : Expr
{
    /// <summary>Whether an <c>offset</c> modifier was written (even <c>offset 0s</c>).</summary>
    internal bool OffsetWritten { get; init; }

    /// <summary>The <c>offset</c> in milliseconds.</summary>
    public long OffsetMs { get; init; }

    /// <summary>The fixed <c>@</c> timestamp in milliseconds, or null.</summary>
    public long? AtMs { get; init; }

    /// <summary>Whether the <c>@</c> modifier is <c>start()</c> or <c>end()</c>.</summary>
    public AtAnchor At { get; init; }

    /// <inheritdoc />
    public override PromValueType Type => PromValueType.RangeVector;
}

/// <summary>A parenthesised expression.</summary>
/// <param name="Inner">The expression inside.</param>
public sealed record ParenExpr(Expr Inner) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type => Inner.Type;
}

/// <summary>A unary <c>-</c> or <c>+</c>.</summary>
/// <param name="Negate">True for <c>-</c>.</param>
/// <param name="Operand">The operand.</param>
public sealed record UnaryExpr(bool Negate, Expr Operand) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type => Operand.Type;
}

/// <summary>Binary operators, in PromQL spelling.</summary>
public enum BinaryOp
{
    /// <summary><c>+</c></summary>
    Add,
    /// <summary><c>-</c></summary>
    Sub,
    /// <summary><c>*</c></summary>
    Mul,
    /// <summary><c>/</c></summary>
    Div,
    /// <summary><c>%</c></summary>
    Mod,
    /// <summary><c>^</c></summary>
    Pow,
    /// <summary><c>atan2</c></summary>
    Atan2,
    /// <summary><c>==</c></summary>
    Eq,
    /// <summary><c>!=</c></summary>
    Ne,
    /// <summary><c>&gt;</c></summary>
    Gt,
    /// <summary><c>&lt;</c></summary>
    Lt,
    /// <summary><c>&gt;=</c></summary>
    Ge,
    /// <summary><c>&lt;=</c></summary>
    Le,
    /// <summary><c>and</c></summary>
    And,
    /// <summary><c>or</c></summary>
    Or,
    /// <summary><c>unless</c></summary>
    Unless,
}

/// <summary>How series of the two sides of a binary operation pair up.</summary>
public enum MatchCardinality
{
    /// <summary>Each series matches at most one on the other side.</summary>
    OneToOne,
    /// <summary><c>group_left</c>.</summary>
    ManyToOne,
    /// <summary><c>group_right</c>.</summary>
    OneToMany,
    /// <summary>Set operators.</summary>
    ManyToMany,
}

/// <summary>The <c>on</c>/<c>ignoring</c>/<c>group_x</c> clause of a vector binary operation.</summary>
/// <param name="Cardinality">The matching cardinality.</param>
/// <param name="MatchingLabels">Labels listed in <c>on</c> or <c>ignoring</c>.</param>
/// <param name="On">True for <c>on</c>, false for <c>ignoring</c> (or no clause).</param>
/// <param name="Include">Labels listed in <c>group_left</c>/<c>group_right</c>, copied from the "one" side.</param>
public sealed record VectorMatching(MatchCardinality Cardinality, IReadOnlyList<string> MatchingLabels, bool On, IReadOnlyList<string> Include);

/// <summary>A binary operation.</summary>
/// <param name="Op">The operator.</param>
/// <param name="Lhs">Left operand.</param>
/// <param name="Rhs">Right operand.</param>
/// <param name="ReturnBool">Whether the <c>bool</c> modifier was given.</param>
/// <param name="Matching">Vector matching, set when both sides are instant vectors.</param>
public sealed record BinaryExpr(BinaryOp Op, Expr Lhs, Expr Rhs, bool ReturnBool, VectorMatching? Matching) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type =>
        Lhs.Type == PromValueType.Scalar && Rhs.Type == PromValueType.Scalar ? PromValueType.Scalar : PromValueType.InstantVector;
}

/// <summary>Aggregation operators.</summary>
public enum AggregationOp
{
    /// <summary><c>sum</c></summary>
    Sum,
    /// <summary><c>avg</c></summary>
    Avg,
    /// <summary><c>count</c></summary>
    Count,
    /// <summary><c>min</c></summary>
    Min,
    /// <summary><c>max</c></summary>
    Max,
    /// <summary><c>group</c></summary>
    Group,
    /// <summary><c>stddev</c></summary>
    Stddev,
    /// <summary><c>stdvar</c></summary>
    Stdvar,
    /// <summary><c>topk</c></summary>
    TopK,
    /// <summary><c>bottomk</c></summary>
    BottomK,
    /// <summary><c>count_values</c></summary>
    CountValues,
    /// <summary><c>quantile</c></summary>
    Quantile,
}

/// <summary>An aggregation such as <c>sum by (job) (x)</c> or <c>topk(3, x)</c>.</summary>
/// <param name="Op">The aggregation operator.</param>
/// <param name="Inner">The aggregated instant vector.</param>
/// <param name="Param">The parameter of <c>topk</c>, <c>bottomk</c>, <c>quantile</c>, <c>count_values</c>.</param>
/// <param name="Grouping">Labels in <c>by</c> or <c>without</c>.</param>
/// <param name="Without">True for <c>without</c>.</param>
public sealed record AggregateExpr(AggregationOp Op, Expr Inner, Expr? Param, IReadOnlyList<string> Grouping, bool Without) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.InstantVector;
}

/// <summary>A function call.</summary>
/// <param name="Function">The called function.</param>
/// <param name="Args">The arguments.</param>
public sealed record CallExpr(PromFunction Function, IReadOnlyList<Expr> Args) : Expr
{
    /// <inheritdoc />
    public override PromValueType Type => Function.ReturnType;
}
