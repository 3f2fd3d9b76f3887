namespace Vigil.Metrics.PromQL.Testing;

/// <summary>
/// The extra evaluations Prometheus's test runner makes of every eval: the expression with
/// <c>@ T</c> pinned on each selector and subquery outside a subquery, evaluated at other times,
/// must give the same result (Prometheus 2.42 <c>atModifierTestCases</c>).
/// </summary>
public static class AtModifierVariants
{
    /// <summary>
    /// The pinned expression and the times to evaluate it at (-10T, 0, T/5, T, 10T; or -1s, 0, 1s
    /// when T is 0), or null when the expression uses a time-dependent function outside a subquery.
    /// </summary>
    public static (Expr Expr, long[] Times)? For(Expr expr, long timeMs)
    {
        var unsafeCall = false;
        var pinned = Pin(expr, timeMs, ref unsafeCall);
        if (unsafeCall)
        {
            return null;
        }
        long[] times = timeMs == 0 ? [-1000, 0, 1000] : [-10 * timeMs, 0, timeMs / 5, timeMs, 10 * timeMs];
        return (pinned, times);
    }

    private static Expr Pin(Expr e, long t, ref bool unsafeCall)
    {
        switch (e)
        {
            case VectorSelector vs:
                return vs.AtMs is null ? vs with { AtMs = t, At = AtAnchor.None } : vs;
            case MatrixSelector ms:
                return ms with { Selector = (VectorSelector)Pin(ms.Selector, t, ref unsafeCall) };
            case SubqueryExpr sq:
                // Inside a pinned subquery nothing changes, and time functions there are harmless.
                return sq.AtMs is null ? sq with { AtMs = t, At = AtAnchor.None } : sq;
            case ParenExpr p:
                return p with { Inner = Pin(p.Inner, t, ref unsafeCall) };
            case UnaryExpr u:
                return u with { Operand = Pin(u.Operand, t, ref unsafeCall) };
            case BinaryExpr b:
                var lhs = Pin(b.Lhs, t, ref unsafeCall);
                var rhs = Pin(b.Rhs, t, ref unsafeCall);
                return b with { Lhs = lhs, Rhs = rhs };
            case AggregateExpr a:
                var param = a.Param is null ? null : Pin(a.Param, t, ref unsafeCall);
                var inner = Pin(a.Inner, t, ref unsafeCall);
                return a with { Param = param, Inner = inner };
            case CallExpr c:
                unsafeCall |= PromFunction.AtModifierUnsafe.Contains(c.Function.Name);
                var args = new Expr[c.Args.Count];
                for (var i = 0; i < args.Length; i++)
                {
                    args[i] = Pin(c.Args[i], t, ref unsafeCall);
                }
                return c with { Args = args };
            default:
                return e;
        }
    }
}
