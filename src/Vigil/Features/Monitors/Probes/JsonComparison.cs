using System.Globalization;
using System.Text.Json;

namespace Vigil.Features.Monitors.Probes;

/// <summary>
/// Numeric JSON conditions: <c>less_than</c>, <c>greater_than</c> and <c>between</c> compare the
/// number at <c>json_path</c> with an operand that is a number (<c>900</c>), another value of the same
/// document (<c>memory.total</c>) or a multiple of one (<c>0.8 * memory.total</c>), so the seeds'
/// "memory used below 80 % of total" is one condition. Pure: a document in, a reason or null out.
/// </summary>
public static class JsonComparison
{
    /// <summary>A number, or <see cref="Factor"/> × the number at <see cref="Path"/>.</summary>
    public sealed record Operand(string Text, double Factor, JsonPath? Path);

    public static bool TryParseOperand(string? text, out Operand operand)
    {
        operand = new Operand("", 0, null);
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var constant))
        {
            operand = new Operand(trimmed, constant, null);
            return true;
        }
        var parts = trimmed.Split('*', 2, StringSplitOptions.TrimEntries);
        var factor = 1.0;
        if (parts.Length == 2 && !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out factor))
        {
            return false;
        }
        if (!JsonPath.TryParse(parts[^1], out var path) || parts[^1].Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }
        operand = new Operand(trimmed, factor, path);
        return true;
    }

    /// <summary>The operand's value in <paramref name="root"/>; null when its path has no number.</summary>
    public static double? Value(Operand operand, JsonElement root) =>
        operand.Path is null ? operand.Factor : operand.Path.Find(root) is { } v && Number(v) is { } n ? operand.Factor * n : null;

    /// <summary>A JSON number, or a string that holds one (<c>"512"</c>).</summary>
    public static double? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    /// <summary>Null when the condition's numeric comparisons hold, else the reason.</summary>
    public static string? Failure(JsonElement root, string pathText, double actual, ConditionDefinition c)
    {
        static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        string Described(Operand o, double v) => o.Path is null ? F(v) : $"{F(v)} ({o.Text})";

        if (c.LessThan is not null && TryParseOperand(c.LessThan, out var below))
        {
            if (Value(below, root) is not { } limit)
            {
                return $"body mismatch: no number at {below.Text}";
            }
            if (!(actual < limit))
            {
                return $"body mismatch: {pathText} is {F(actual)}, expected < {Described(below, limit)}";
            }
        }
        if (c.GreaterThan is not null && TryParseOperand(c.GreaterThan, out var above))
        {
            if (Value(above, root) is not { } limit)
            {
                return $"body mismatch: no number at {above.Text}";
            }
            if (!(actual > limit))
            {
                return $"body mismatch: {pathText} is {F(actual)}, expected > {Described(above, limit)}";
            }
        }
        if (c.Between is [var low, var high] && (actual < low || actual > high))
        {
            return $"body mismatch: {pathText} is {F(actual)}, expected between {F(low)} and {F(high)}";
        }
        return null;
    }

    /// <summary>The numbers a monitor's <c>json_samples</c> name, from a JSON body; those missing or not numbers are left out.</summary>
    public static Dictionary<string, double> Samples(string body, IReadOnlyDictionary<string, string>? samples)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (samples is not { Count: > 0 })
        {
            return values;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var (name, pathText) in samples)
            {
                if (JsonPath.TryParse(pathText, out var path) && path.Find(document.RootElement) is { } v && Number(v) is { } n)
                {
                    values[name] = n;
                }
            }
        }
        catch (JsonException)
        {
        }
        return values;
    }
}
