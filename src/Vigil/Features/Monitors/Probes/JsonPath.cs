using System.Globalization;
using System.Text.Json;

namespace Vigil.Features.Monitors;

/// <summary>
/// A small dotted path into a JSON document: <c>status</c>, <c>data.items[0].id</c>, with an
/// optional leading <c>$.</c>. Enough for health endpoints and API checks; not full JSONPath.
/// </summary>
public sealed class JsonPath
{
    private readonly IReadOnlyList<object> steps;

    private JsonPath(IReadOnlyList<object> steps) => this.steps = steps;

    public static bool TryParse(string text, out JsonPath path)
    {
        path = new JsonPath([]);
        var rest = text.StartsWith("$.", StringComparison.Ordinal) ? text[2..] : text;
        if (rest.Length == 0)
        {
            return false;
        }
        var steps = new List<object>();
        foreach (var part in rest.Split('.'))
        {
            var name = part;
            var bracket = name.IndexOf('[', StringComparison.Ordinal);
            var indexes = bracket >= 0 ? name[bracket..] : "";
            name = bracket >= 0 ? name[..bracket] : name;
            if (name.Length == 0 && (bracket != 0 || steps.Count == 0))
            {
                return false;
            }
            if (name.Length > 0)
            {
                steps.Add(name);
            }
            while (indexes.Length > 0)
            {
                var close = indexes.IndexOf(']', StringComparison.Ordinal);
                if (indexes[0] != '[' || close < 0 || !int.TryParse(indexes[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return false;
                }
                steps.Add(index);
                indexes = indexes[(close + 1)..];
            }
        }
        path = new JsonPath(steps);
        return true;
    }

    /// <summary>The value at the path, or null when the path does not exist.</summary>
    public JsonElement? Find(JsonElement root)
    {
        var current = root;
        foreach (var step in steps)
        {
            if (step is string name && current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out var child))
            {
                current = child;
            }
            else if (step is int index && current.ValueKind == JsonValueKind.Array && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }
        return current;
    }

    /// <summary>A value as text for comparison: strings unquoted, everything else as raw JSON (<c>true</c>, <c>42</c>).</summary>
    public static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
