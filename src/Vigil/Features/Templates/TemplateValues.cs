using System.Collections;
using System.Globalization;
using Vigil.Metrics;

namespace Vigil.Features.Templates;

/// <summary>How template values print, test true, and expose fields, as Go's text/template does for Prometheus's types.</summary>
internal static class TemplateValues
{
    public static string Print(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => GoFormat.V(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        // Go prints the struct Prometheus gives templates as {Labels ExternalLabels ExternalURL Value}.
        TemplateData data => $"{{{Print(data.Labels)} {Print(data.ExternalLabels)} {data.ExternalUrl} {GoFormat.V(data.Value)}}}",
        Labels labels => "map[" + string.Join(' ', labels.Select(l => $"{l.Name}:{l.Value}")) + "]",
        QuerySample sample => $"{{{Print(sample.Labels)} {GoFormat.V(sample.Value)}}}",
        IEnumerable list => "[" + string.Join(' ', list.Cast<object?>().Select(Print)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Go's truth: false, 0, "", nil and empty collections are false.</summary>
    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0,
        long l => l != 0,
        string s => s.Length > 0,
        Labels l => l.Count > 0,
        ICollection c => c.Count > 0,
        IEnumerable e => e.Cast<object?>().Any(),
        _ => true,
    };

    public static object? Field(object? value, string field) => value switch
    {
        // missingkey=zero: an absent label is the empty string.
        Labels labels => labels.Get(field),
        QuerySample sample => field switch
        {
            "Labels" => sample.Labels,
            "Value" => sample.Value,
            _ => throw new TemplateException($"can't evaluate field {field} in type *template.sample"),
        },
        TemplateData data => field switch
        {
            "Labels" => data.Labels,
            "Value" => data.Value,
            "ExternalLabels" => data.ExternalLabels,
            "ExternalURL" => data.ExternalUrl,
            _ => throw new TemplateException($"can't evaluate field {field}"),
        },
        // The map of args: a missing key is nil.
        IDictionary<string, object?> map => map.TryGetValue(field, out var item) ? item : null,
        null => null,
        _ => throw new TemplateException($"can't evaluate field {field} in type {value switch { string => "string", double => "float64", long => "int", bool => "bool", _ => value.GetType().Name }}"),
    };

    public static double ToFloat(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        string s => throw new TemplateException($"strconv.ParseFloat: parsing \"{s}\": invalid syntax"),
        QuerySample sample => sample.Value,
        null => 0,
        _ => throw new TemplateException($"can't convert {value.GetType().Name} to float"),
    };
}
