using System.Collections.Frozen;

namespace Vigil.Metrics.PromQL;

/// <summary>
/// A PromQL function's signature: argument types, how many trailing arguments are optional or
/// repeatable, and the result type (Prometheus <c>promql/parser/functions.go</c>, v2.42).
/// </summary>
/// <param name="Name">The function name.</param>
/// <param name="ArgTypes">The declared argument types.</param>
/// <param name="Variadic">0: exactly <paramref name="ArgTypes"/>; n &gt; 0: up to n trailing arguments may be left out; -1: the last type repeats without bound.</param>
/// <param name="ReturnType">The result type.</param>
public sealed record PromFunction(string Name, PromValueType[] ArgTypes, int Variadic, PromValueType ReturnType)
{
    private const PromValueType S = PromValueType.Scalar;
    private const PromValueType V = PromValueType.InstantVector;
    private const PromValueType M = PromValueType.RangeVector;
    private const PromValueType Str = PromValueType.String;

    /// <summary>
    /// Functions whose result depends on the evaluation time itself, so an expression using them
    /// is not step-invariant under <c>@</c> (Prometheus <c>AtModifierUnsafeFunctions</c>).
    /// </summary>
    public static readonly FrozenSet<string> AtModifierUnsafe = FrozenSet.Create(StringComparer.Ordinal,
        "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year",
        "predict_linear", "time", "timestamp");

    /// <summary>All functions, by name.</summary>
    public static readonly FrozenDictionary<string, PromFunction> All = Build().ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    private static IEnumerable<PromFunction> Build()
    {
        foreach (var name in new[]
        {
            "abs", "ceil", "exp", "floor", "ln", "log2", "log10", "sqrt", "sgn", "deg", "rad",
            "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
            "absent", "sort", "sort_desc", "timestamp", "histogram_count", "histogram_sum",
        })
        {
            yield return new(name, [V], 0, V);
        }
        foreach (var name in new[]
        {
            "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
            "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
            "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time",
        })
        {
            yield return new(name, [M], 0, V);
        }
        foreach (var name in new[] { "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year" })
        {
            yield return new(name, [V], 1, V);
        }
        yield return new("clamp", [V, S, S], 0, V);
        yield return new("clamp_max", [V, S], 0, V);
        yield return new("clamp_min", [V, S], 0, V);
        yield return new("round", [V, S], 1, V);
        yield return new("histogram_quantile", [S, V], 0, V);
        yield return new("histogram_fraction", [S, S, V], 0, V);
        yield return new("holt_winters", [M, S, S], 0, V);
        yield return new("predict_linear", [M, S], 0, V);
        yield return new("quantile_over_time", [S, M], 0, V);
        yield return new("label_replace", [V, Str, Str, Str, Str], 0, V);
        yield return new("label_join", [V, Str, Str, Str], -1, V);
        yield return new("pi", [], 0, S);
        yield return new("time", [], 0, S);
        yield return new("scalar", [V], 0, S);
        yield return new("vector", [S], 0, V);
    }
}
