using System.Runtime.CompilerServices;

namespace Vigil.Metrics.PromQL;

/// <summary>
/// Parses PromQL text into an <see cref="Expr"/> tree and type-checks it, following the grammar
/// of Prometheus 2.42 (<c>promql/parser/generated_parser.y</c>). Errors are
/// <see cref="PromQLParseException"/>s with the position and Prometheus's wording.
/// </summary>
public sealed partial class PromQLParser
{
    private readonly string query;
    private readonly List<Token> tokens;
    private int pos;

    private PromQLParser(string query)
    {
        this.query = query;
        tokens = Lexer.Tokenize(query);
    }

    /// <summary>Parses and type-checks <paramref name="query"/>.</summary>
    /// <exception cref="PromQLParseException">The query is not valid PromQL.</exception>
    public static Expr Parse(string query)
    {
        var p = new PromQLParser(query);
        if (p.Peek.Kind == TokenKind.Eof)
        {
            throw new PromQLParseException(query, 0, "no expression found in input");
        }
        var expr = p.ParseExpr(0);
        if (p.Peek.Kind != TokenKind.Eof)
        {
            throw p.Unexpected(p.Peek);
        }
        return expr;
    }

    private Token Peek => tokens[pos];

    private Token PeekAt(int ahead) => tokens[Math.Min(pos + ahead, tokens.Count - 1)];

    private Token Next() => tokens[pos < tokens.Count - 1 ? pos++ : pos];

    private PromQLParseException Error(int position, string reason) => new(query, position, reason);

    private PromQLParseException Unexpected(Token t, string? context = null, string? expected = null)
    {
        var msg = "unexpected " + t.Describe();
        if (context is not null)
        {
            msg += " in " + context;
        }
        if (expected is not null)
        {
            msg += ", expected " + expected;
        }
        return Error(t.Position, msg);
    }

    private Token Expect(TokenKind kind, string context, string expected)
    {
        var t = Peek;
        if (t.Kind != kind)
        {
            throw Unexpected(t, context, expected);
        }
        return Next();
    }

    /// <summary>Label names may be keywords too, and even <c>inf</c>/<c>nan</c>, which lex as numbers.</summary>
    private static bool IsLabelName(Token t) =>
        t.Kind == TokenKind.Identifier || (t.Kind == TokenKind.Number && char.IsAsciiLetter(t.Text[0]));

    private bool IsWord(Token t, string word) => t.Kind == TokenKind.Identifier && t.Text.Equals(word, StringComparison.OrdinalIgnoreCase);

    private Expr ParseExpr(int minPrecedence)
    {
        // A query nested deeper than the stack allows must fail as a query, not end the process.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error(Peek.Position, "expression nested too deeply");
        }
        var lhs = ParseUnary();
        while (true)
        {
            var t = Peek;
            var op = Syntax.BinaryOperator(t);
            if (op is null)
            {
                if (t.Kind is TokenKind.Identifier or TokenKind.MetricIdentifier or TokenKind.Number or TokenKind.String or TokenKind.Duration
                    or TokenKind.LeftParen or TokenKind.LeftBrace or TokenKind.At or TokenKind.LeftBracket)
                {
                    throw Unexpected(t);
                }
                return lhs;
            }
            var prec = Syntax.Precedence(op.Value);
            if (prec < minPrecedence)
            {
                return lhs;
            }
            Next();
            var (returnBool, matching) = ParseBinaryModifiers(op.Value);
            // '^' is right-associative; all other operators are left-associative.
            var rhs = ParseExpr(op == BinaryOp.Pow ? prec : prec + 1);
            lhs = BuildBinary(t, op.Value, lhs, rhs, returnBool, matching);
        }
    }

    private (bool ReturnBool, VectorMatching? Matching) ParseBinaryModifiers(BinaryOp op)
    {
        var returnBool = false;
        if (IsWord(Peek, "bool"))
        {
            Next();
            returnBool = true;
        }
        VectorMatching? matching = null;
        if (IsWord(Peek, "on") || IsWord(Peek, "ignoring"))
        {
            var on = IsWord(Next(), "on");
            var labels = ParseLabelList("grouping opts");
            matching = new VectorMatching(MatchCardinality.OneToOne, labels, on, []);
            if (IsWord(Peek, "group_left") || IsWord(Peek, "group_right"))
            {
                var left = IsWord(Next(), "group_left");
                IReadOnlyList<string> include = Peek.Kind == TokenKind.LeftParen ? ParseLabelList("grouping opts") : [];
                matching = matching with { Cardinality = left ? MatchCardinality.ManyToOne : MatchCardinality.OneToMany, Include = include };
            }
        }
        else if (IsWord(Peek, "group_left") || IsWord(Peek, "group_right"))
        {
            throw Unexpected(Peek, "binary expression");
        }
        if (Syntax.IsSetOperator(op) && matching is { Cardinality: MatchCardinality.OneToOne })
        {
            matching = matching with { Cardinality = MatchCardinality.ManyToMany };
        }
        return (returnBool, matching);
    }

    private Expr ParseUnary()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Operator && t.Text is "-" or "+")
        {
            Next();
            // Unary minus binds like '*' (Prometheus: `unary_op expr %prec MUL`), so only '^' binds tighter.
            var operand = ParseExpr(Syntax.UnaryPrecedence);
            if (operand is NumberLiteral n)
            {
                return new NumberLiteral(t.Text == "-" ? -n.Value : n.Value) { Position = t.Position };
            }
            if (operand.Type is not (PromValueType.Scalar or PromValueType.InstantVector))
            {
                throw Error(t.Position, $"unary expression only allowed on expressions of type scalar or instant vector, got \"{Syntax.Describe(operand.Type)}\"");
            }
            return new UnaryExpr(t.Text == "-", operand) { Position = t.Position };
        }
        return ParsePostfix(ParsePrimary());
    }

    private Expr ParsePrimary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Next();
                if (!Numbers.TryParseLiteral(t.Text, out var value))
                {
                    throw Error(t.Position, $"error parsing number: {t.Text}");
                }
                if (double.IsInfinity(value) && char.IsAsciiDigit(t.Text[^1]))
                {
                    throw Error(t.Position, $"error parsing number: strconv.ParseFloat: parsing \"{t.Text}\": value out of range");
                }
                return new NumberLiteral(value) { Position = t.Position };
            case TokenKind.String:
                Next();
                return new StringLiteral(t.Text) { Position = t.Position };
            case TokenKind.LeftParen:
                Next();
                var inner = ParseExpr(0);
                Expect(TokenKind.RightParen, "paren expression", "\")\"");
                return new ParenExpr(inner) { Position = t.Position };
            case TokenKind.LeftBrace:
                return ParseSelector(null, t.Position);
            case TokenKind.Identifier or TokenKind.MetricIdentifier:
                return ParseNamed(t);
            default:
                throw Unexpected(t);
        }
    }

    private Expr ParseNamed(Token t)
    {
        var afterName = PeekAt(1);
        if (t.Kind == TokenKind.Identifier && Syntax.Aggregators.TryGetValue(t.Text, out var agg)
            && (afterName.Kind == TokenKind.LeftParen || IsWord(afterName, "by") || IsWord(afterName, "without")))
        {
            return ParseAggregation(agg);
        }
        if (t.Kind == TokenKind.Identifier && Syntax.IsKeyword(t.Text))
        {
            throw Unexpected(t);
        }
        Next();
        if (Peek.Kind == TokenKind.LeftParen)
        {
            if (!PromFunction.All.TryGetValue(t.Text, out var fn))
            {
                throw Error(t.Position, $"unknown function with name \"{t.Text}\"");
            }
            return ParseCall(fn, t.Position);
        }
        return ParseSelector(t.Text, t.Position);
    }

    private List<string> ParseLabelList(string context)
    {
        Expect(TokenKind.LeftParen, context, "\"(\"");
        var labels = new List<string>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            var t = Next();
            if (!IsLabelName(t))
            {
                throw Unexpected(t, context, "label");
            }
            labels.Add(t.Text);
            if (Peek.Kind == TokenKind.Comma)
            {
                Next();
            }
            else if (Peek.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Peek, context, "\",\" or \")\"");
            }
        }
        Next();
        return labels;
    }
}
