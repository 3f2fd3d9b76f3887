using System.Globalization;

namespace Vigil.Metrics.PromQL;

public sealed partial class PromQLParser
{
    private VectorSelector ParseSelector(string? name, int position)
    {
        var matchers = new List<LabelMatcher>();
        if (name is not null)
        {
            matchers.Add(LabelMatcher.Equal(Label.MetricName, name));
        }
        if (Peek.Kind == TokenKind.LeftBrace)
        {
            Next();
            while (Peek.Kind != TokenKind.RightBrace)
            {
                var labelToken = Next();
                if (!IsLabelName(labelToken))
                {
                    throw Unexpected(labelToken, "label matching", "identifier or \"}\"");
                }
                var opToken = Next();
                var type = opToken.Kind == TokenKind.Operator ? opToken.Text switch
                {
                    "=" => MatchType.Equal,
                    "!=" => MatchType.NotEqual,
                    "=~" => MatchType.RegexMatch,
                    "!~" => MatchType.RegexNoMatch,
                    _ => (MatchType?)null,
                } : null;
                if (type is null)
                {
                    throw Unexpected(opToken, "label matching", "label matching operator");
                }
                var valueToken = Next();
                if (valueToken.Kind != TokenKind.String)
                {
                    throw Unexpected(valueToken, "label matching", "string");
                }
                try
                {
                    matchers.Add(new LabelMatcher(labelToken.Text, type.Value, valueToken.Text));
                }
                catch (ArgumentException e)
                {
                    throw Error(valueToken.Position, "invalid regular expression: " + e.Message);
                }
                if (Peek.Kind == TokenKind.Comma)
                {
                    Next();
                }
                else if (Peek.Kind != TokenKind.RightBrace)
                {
                    throw Unexpected(Peek, "label matching", "\",\" or \"}\"");
                }
            }
            Next();
        }
        var nameMatchers = matchers.Where(m => m.Name == Label.MetricName).ToList();
        if (name is not null && nameMatchers.Count > 1)
        {
            throw Error(position, $"metric name must not be set twice: \"{name}\" or \"{nameMatchers[1].Value}\"");
        }
        if (matchers.All(m => m.MatchesEmpty))
        {
            throw Error(position, "vector selector must contain at least one non-empty matcher");
        }
        return new VectorSelector(name ?? (nameMatchers is [{ Type: MatchType.Equal } only] ? only.Value : null), matchers) { Position = position };
    }

    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.LeftBracket)
            {
                expr = ParseRangeOrSubquery(expr);
            }
            else if (IsWord(t, "offset"))
            {
                Next();
                var offset = ParseSignedDuration("offset");
                expr = expr switch
                {
                    VectorSelector { OffsetWritten: false } vs => vs with { OffsetMs = offset, OffsetWritten = true },
                    MatrixSelector { Selector.OffsetWritten: false } ms => ms with { Selector = ms.Selector with { OffsetMs = offset, OffsetWritten = true } },
                    SubqueryExpr { OffsetWritten: false } sq => sq with { OffsetMs = offset, OffsetWritten = true },
                    VectorSelector or MatrixSelector or SubqueryExpr => throw Error(t.Position, "offset may not be set multiple times"),
                    _ => throw Error(expr.Position, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
                };
            }
            else if (t.Kind == TokenKind.At)
            {
                Next();
                var (at, anchor) = ParseAtValue(expr.Position);
                expr = expr switch
                {
                    VectorSelector { AtMs: null, At: AtAnchor.None } vs => vs with { AtMs = at, At = anchor },
                    MatrixSelector { Selector: { AtMs: null, At: AtAnchor.None } } ms => ms with { Selector = ms.Selector with { AtMs = at, At = anchor } },
                    SubqueryExpr { AtMs: null, At: AtAnchor.None } sq => sq with { AtMs = at, At = anchor },
                    VectorSelector or MatrixSelector or SubqueryExpr => throw Error(t.Position, "@ <timestamp> may not be set multiple times"),
                    _ => throw Error(expr.Position, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
                };
            }
            else
            {
                return expr;
            }
        }
    }

    private long ParseSignedDuration(string context)
    {
        var negative = false;
        if (Peek.Kind == TokenKind.Operator && Peek.Text is "-" or "+")
        {
            negative = Next().Text == "-";
        }
        var ms = ParseDuration(context, "duration");
        return negative ? -ms : ms;
    }

    /// <summary>A duration token; Prometheus rejects zero durations in ranges, steps and offsets.</summary>
    private long ParseDuration(string context, string expected)
    {
        var d = Expect(TokenKind.Duration, context, expected);
        Numbers.TryParseDuration(d.Text, out var ms);
        if (ms == 0)
        {
            throw Error(d.Position, "duration must be greater than 0");
        }
        return ms;
    }

    private (long? At, AtAnchor Anchor) ParseAtValue(int atPosition)
    {
        var t = Peek;
        if (t.Kind == TokenKind.Identifier && (IsWord(t, "start") || IsWord(t, "end")))
        {
            Next();
            Expect(TokenKind.LeftParen, "@", "\"(\"");
            Expect(TokenKind.RightParen, "@", "\")\"");
            return (null, IsWord(t, "start") ? AtAnchor.Start : AtAnchor.End);
        }
        var sign = 1.0;
        if (t.Kind == TokenKind.Operator && t.Text is "-" or "+")
        {
            sign = Next().Text == "-" ? -1 : 1;
        }
        var n = Next();
        if (n.Kind != TokenKind.Number || !Numbers.TryParseLiteral(n.Text, out var seconds))
        {
            throw Unexpected(n, "@", "timestamp");
        }
        seconds *= sign;
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds * 1000) > long.MaxValue / 2.0)
        {
            throw Error(atPosition, "timestamp out of bounds for @ modifier: " + (double.IsNaN(seconds) ? "NaN" : double.IsInfinity(seconds) ? (seconds > 0 ? "+Inf" : "-Inf") : seconds.ToString("F6", CultureInfo.InvariantCulture)));
        }
        return ((long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero), AtAnchor.None);
    }

    private Expr ParseRangeOrSubquery(Expr expr)
    {
        var open = Next();
        var rangeMs = ParseDuration("range", "duration");
        if (Peek.Kind == TokenKind.Colon)
        {
            Next();
            long stepMs = 0;
            if (Peek.Kind == TokenKind.Duration)
            {
                stepMs = ParseDuration("subquery selector", "duration");
            }
            Expect(TokenKind.RightBracket, "subquery selector", "\"]\"");
            if (expr.Type != PromValueType.InstantVector)
            {
                throw Error(expr.Position, $"subquery is only allowed on instant vector, got {Syntax.ValueTypeName(expr.Type)} instead");
            }
            return new SubqueryExpr(expr, rangeMs, stepMs) { Position = expr.Position };
        }
        Expect(TokenKind.RightBracket, "range", "\"]\"");
        if (expr is not VectorSelector vs)
        {
            throw Error(open.Position, "ranges only allowed for vector selectors");
        }
        if (vs.OffsetWritten)
        {
            throw Error(open.Position, "no offset modifiers allowed before range");
        }
        if (vs.AtMs is not null || vs.At != AtAnchor.None)
        {
            throw Error(open.Position, "no @ modifiers allowed before range");
        }
        return new MatrixSelector(vs, rangeMs) { Position = vs.Position };
    }

    private AggregateExpr ParseAggregation(AggregationOp op)
    {
        var opToken = Next();
        IReadOnlyList<string> grouping = [];
        var without = false;
        var hasGrouping = false;
        if (IsWord(Peek, "by") || IsWord(Peek, "without"))
        {
            without = IsWord(Next(), "without");
            grouping = ParseLabelList("grouping opts");
            hasGrouping = true;
        }
        Expect(TokenKind.LeftParen, "aggregation", "\"(\"");
        var args = ParseArguments("aggregation");
        if (IsWord(Peek, "by") || IsWord(Peek, "without"))
        {
            if (hasGrouping)
            {
                throw Unexpected(Peek, "aggregation");
            }
            without = IsWord(Next(), "without");
            grouping = ParseLabelList("grouping opts");
        }
        if (args.Count == 0)
        {
            throw Error(opToken.Position, "no arguments for aggregate expression provided");
        }
        var needsParam = op is AggregationOp.TopK or AggregationOp.BottomK or AggregationOp.Quantile or AggregationOp.CountValues;
        var expected = needsParam ? 2 : 1;
        if (args.Count != expected)
        {
            throw Error(opToken.Position, $"wrong number of arguments for aggregate expression provided, expected {expected}, got {args.Count}");
        }
        var inner = args[^1];
        if (inner.Type != PromValueType.InstantVector)
        {
            throw Error(inner.Position, $"expected type instant vector in aggregation expression, got {Syntax.Describe(inner.Type)}");
        }
        Expr? param = needsParam ? args[0] : null;
        if (param is not null)
        {
            var want = op == AggregationOp.CountValues ? PromValueType.String : PromValueType.Scalar;
            if (param.Type != want)
            {
                throw Error(param.Position, $"expected type {Syntax.Describe(want)} in aggregation parameter, got {Syntax.Describe(param.Type)}");
            }
        }
        return new AggregateExpr(op, inner, param, grouping, without) { Position = opToken.Position };
    }

    /// <summary>Comma-separated arguments up to and including the closing parenthesis.</summary>
    private List<Expr> ParseArguments(string context)
    {
        var args = new List<Expr>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            args.Add(ParseExpr(0));
            if (Peek.Kind == TokenKind.Comma)
            {
                var comma = Next();
                if (Peek.Kind == TokenKind.RightParen)
                {
                    throw Error(comma.Position, "trailing commas not allowed in function call args");
                }
            }
            else if (Peek.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Peek, context, "\",\" or \")\"");
            }
        }
        Next();
        return args;
    }

    private CallExpr ParseCall(PromFunction fn, int position)
    {
        Next();
        var args = ParseArguments("function call");
        var declared = fn.ArgTypes.Length;
        if (fn.Variadic == 0 && args.Count != declared)
        {
            throw Error(position, $"expected {declared} argument(s) in call to \"{fn.Name}\", got {args.Count}");
        }
        if (fn.Variadic > 0 && (args.Count < declared - fn.Variadic || args.Count > declared))
        {
            throw Error(position, args.Count < declared - fn.Variadic
                ? $"expected at least {declared - fn.Variadic} argument(s) in call to \"{fn.Name}\", got {args.Count}"
                : $"expected at most {declared} argument(s) in call to \"{fn.Name}\", got {args.Count}");
        }
        if (fn.Variadic < 0 && args.Count < declared - 1)
        {
            throw Error(position, $"expected at least {declared - 1} argument(s) in call to \"{fn.Name}\", got {args.Count}");
        }
        for (var i = 0; i < args.Count; i++)
        {
            var want = fn.ArgTypes[Math.Min(i, declared - 1)];
            if (args[i].Type != want)
            {
                throw Error(args[i].Position, $"expected type {Syntax.Describe(want)} in call to function \"{fn.Name}\", got {Syntax.Describe(args[i].Type)}");
            }
        }
        return new CallExpr(fn, args) { Position = position };
    }

    private BinaryExpr BuildBinary(Token opToken, BinaryOp op, Expr lhs, Expr rhs, bool returnBool, VectorMatching? matching)
    {
        var lt = lhs.Type;
        var rt = rhs.Type;
        if (returnBool && !Syntax.IsComparison(op))
        {
            throw Error(opToken.Position, "bool modifier can only be used on comparison operators");
        }
        if (lt is not (PromValueType.Scalar or PromValueType.InstantVector) || rt is not (PromValueType.Scalar or PromValueType.InstantVector))
        {
            var bad = lt is PromValueType.Scalar or PromValueType.InstantVector ? rhs : lhs;
            throw Error(bad.Position, "binary expression must contain only scalar and instant vector types");
        }
        var bothVectors = lt == PromValueType.InstantVector && rt == PromValueType.InstantVector;
        if (Syntax.IsComparison(op) && lt == PromValueType.Scalar && rt == PromValueType.Scalar && !returnBool)
        {
            throw Error(opToken.Position, "comparisons between scalars must use BOOL modifier");
        }
        if (Syntax.IsSetOperator(op) && !bothVectors)
        {
            throw Error(lhs.Position, $"set operator \"{Syntax.Spell(op)}\" not allowed in binary scalar expression");
        }
        if (matching is not null && !bothVectors)
        {
            throw Error(lhs.Position, "vector matching only allowed between instant vectors");
        }
        if (matching is not null && Syntax.IsSetOperator(op) && matching.Cardinality is MatchCardinality.ManyToOne or MatchCardinality.OneToMany)
        {
            throw Error(lhs.Position, $"no grouping allowed for \"{Syntax.Spell(op)}\" operation");
        }
        if (matching is { On: true })
        {
            foreach (var l in matching.Include)
            {
                if (matching.MatchingLabels.Contains(l))
                {
                    throw Error(opToken.Position, $"label \"{l}\" must not occur in ON and GROUP clause at once");
                }
            }
        }
        if (bothVectors && matching is null)
        {
            matching = new VectorMatching(Syntax.IsSetOperator(op) ? MatchCardinality.ManyToMany : MatchCardinality.OneToOne, [], false, []);
        }
        return new BinaryExpr(op, lhs, rhs, returnBool, matching) { Position = lhs.Position };
    }
}
