using System.Globalization;
using System.Text;

namespace Vigil.Metrics.PromQL;

/// <summary>
/// Writes an expression back as PromQL text that parses to the same tree, in Prometheus's
/// layout (<c>sum by (job) (rate(x[5m] offset 1m))</c>).
/// </summary>
public static class PromQLPrinter
{
    /// <summary>The PromQL text of <paramref name="expr"/>.</summary>
    public static string Print(Expr expr)
    {
        var sb = new StringBuilder();
        Write(sb, expr);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case NumberLiteral n:
                sb.Append(double.IsNaN(n.Value) ? "NaN" : double.IsInfinity(n.Value) ? (n.Value > 0 ? "Inf" : "-Inf") : n.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case StringLiteral s:
                Quote(sb, s.Value);
                break;
            case VectorSelector vs:
                WriteSelector(sb, vs);
                Modifiers(sb, vs.OffsetMs, vs.AtMs, vs.At);
                break;
            case MatrixSelector ms:
                WriteSelector(sb, ms.Selector);
                sb.Append('[').Append(Numbers.FormatDuration(ms.RangeMs)).Append(']');
                Modifiers(sb, ms.Selector.OffsetMs, ms.Selector.AtMs, ms.Selector.At);
                break;
            case SubqueryExpr sq:
                Write(sb, sq.Inner);
                sb.Append('[').Append(Numbers.FormatDuration(sq.RangeMs)).Append(':');
                if (sq.StepMs > 0)
                {
                    sb.Append(Numbers.FormatDuration(sq.StepMs));
                }
                sb.Append(']');
                Modifiers(sb, sq.OffsetMs, sq.AtMs, sq.At);
                break;
            case ParenExpr p:
                sb.Append('(');
                Write(sb, p.Inner);
                sb.Append(')');
                break;
            case UnaryExpr u:
                sb.Append(u.Negate ? '-' : '+');
                if (u.Operand is BinaryExpr { Op: not BinaryOp.Pow })
                {
                    sb.Append('(');
                    Write(sb, u.Operand);
                    sb.Append(')');
                }
                else
                {
                    Write(sb, u.Operand);
                }
                break;
            case BinaryExpr b:
                WriteBinary(sb, b);
                break;
            case AggregateExpr a:
                sb.Append(Syntax.Spell(a.Op));
                if (a.Without || a.Grouping.Count > 0)
                {
                    sb.Append(a.Without ? " without (" : " by (").AppendJoin(", ", a.Grouping).Append(") ");
                }
                sb.Append('(');
                if (a.Param is not null)
                {
                    Write(sb, a.Param);
                    sb.Append(", ");
                }
                Write(sb, a.Inner);
                sb.Append(')');
                break;
            case CallExpr c:
                sb.Append(c.Function.Name).Append('(');
                for (var i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }
                    Write(sb, c.Args[i]);
                }
                sb.Append(')');
                break;
        }
    }

    private static void WriteBinary(StringBuilder sb, BinaryExpr b)
    {
        WriteOperand(sb, b.Lhs, b.Op, isRight: false);
        sb.Append(' ').Append(Syntax.Spell(b.Op)).Append(' ');
        if (b.ReturnBool)
        {
            sb.Append("bool ");
        }
        var m = b.Matching;
        if (m is not null && (m.On || m.MatchingLabels.Count > 0 || m.Cardinality is MatchCardinality.ManyToOne or MatchCardinality.OneToMany))
        {
            sb.Append(m.On ? "on(" : "ignoring(").AppendJoin(", ", m.MatchingLabels).Append(") ");
            if (m.Cardinality is MatchCardinality.ManyToOne or MatchCardinality.OneToMany)
            {
                sb.Append(m.Cardinality == MatchCardinality.ManyToOne ? "group_left(" : "group_right(").AppendJoin(", ", m.Include).Append(") ");
            }
        }
        WriteOperand(sb, b.Rhs, b.Op, isRight: true);
    }

    /// <summary>
    /// Parenthesises an operand that would otherwise bind differently on a re-parse. Parsed trees
    /// carry their parentheses already; this covers trees built in code.
    /// </summary>
    private static void WriteOperand(StringBuilder sb, Expr e, BinaryOp parent, bool isRight)
    {
        var wrap = false;
        if (e is BinaryExpr child)
        {
            var c = Syntax.Precedence(child.Op);
            var p = Syntax.Precedence(parent);
            var rightAssociative = parent == BinaryOp.Pow;
            wrap = isRight == rightAssociative ? c < p : c <= p;
        }
        else if (e is UnaryExpr && parent == BinaryOp.Pow && !isRight)
        {
            wrap = true;
        }
        if (wrap)
        {
            sb.Append('(');
        }
        Write(sb, e);
        if (wrap)
        {
            sb.Append(')');
        }
    }

    private static void WriteSelector(StringBuilder sb, VectorSelector vs)
    {
        var nameMatcherSkipped = false;
        var rest = new List<LabelMatcher>();
        foreach (var m in vs.Matchers)
        {
            if (vs.Name is not null && !nameMatcherSkipped && m.Name == Label.MetricName && m.Type == MatchType.Equal && m.Value == vs.Name)
            {
                nameMatcherSkipped = true;
                continue;
            }
            rest.Add(m);
        }
        if (vs.Name is not null && nameMatcherSkipped)
        {
            sb.Append(vs.Name);
        }
        else
        {
            rest = [.. vs.Matchers];
        }
        if (rest.Count == 0 && nameMatcherSkipped)
        {
            return;
        }
        sb.Append('{');
        for (var i = 0; i < rest.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            var m = rest[i];
            sb.Append(m.Name).Append(m.Type switch
            {
                MatchType.Equal => "=",
                MatchType.NotEqual => "!=",
                MatchType.RegexMatch => "=~",
                _ => "!~",
            });
            Quote(sb, m.Value);
        }
        sb.Append('}');
    }

    private static void Modifiers(StringBuilder sb, long offsetMs, long? atMs, AtAnchor at)
    {
        if (offsetMs != 0)
        {
            sb.Append(" offset ").Append(Numbers.FormatDuration(offsetMs));
        }
        if (atMs is { } t)
        {
            sb.Append(" @ ").Append((t / 1000.0).ToString("F3", CultureInfo.InvariantCulture));
        }
        else if (at != AtAnchor.None)
        {
            sb.Append(at == AtAnchor.Start ? " @ start()" : " @ end()");
        }
    }

    private static void Quote(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }
}
