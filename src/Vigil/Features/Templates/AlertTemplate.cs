using System.Text;

namespace Vigil.Features.Templates;

/// <summary>A template that does not compile, or fails while rendering (e.g. <c>first</c> of no results).</summary>
public class TemplateException(string message) : Exception(message);

/// <summary>A template that failed while rendering, with the place Go's text/template names in its error.</summary>
/// <param name="Offset">Where the failing command starts in the template's text.</param>
/// <param name="Node">The failing command as Go prints it (<c>first</c>, <c>gt $value 1</c>).</param>
public sealed class TemplateExecutionException(int offset, string node, string reason) : TemplateException(reason)
{
    public int Offset { get; } = offset;
    public string Node { get; } = node;

    /// <summary>
    /// Go's execution error for a template named <paramref name="name"/> whose text was
    /// <paramref name="prefix"/> followed by <paramref name="text"/>:
    /// <c>template: NAME:LINE:COL: executing "NAME" at &lt;NODE&gt;: REASON</c>, the column counted in bytes from 0.
    /// </summary>
    public string GoMessage(string name, string prefix, string text)
    {
        var before = prefix + text[..Math.Min(Offset, text.Length)];
        var line = 1 + before.Count(c => c == '\n');
        var column = System.Text.Encoding.UTF8.GetByteCount(before[(before.LastIndexOf('\n') + 1)..]);
        return $"template: {name}:{line}:{column}: executing \"{name}\" at <{Node}>: {Message}";
    }
}

/// <summary>One result of <c>query</c> in a template: <c>.Labels</c> and <c>.Value</c>.</summary>
public sealed record QuerySample(Vigil.Metrics.Labels Labels, double Value);

/// <summary>What a rule's labels and annotations are rendered with (Prometheus's <c>$labels</c>, <c>$value</c>, ...).</summary>
public sealed record TemplateData(
    Vigil.Metrics.Labels Labels,
    double Value,
    Vigil.Metrics.Labels ExternalLabels,
    string ExternalUrl,
    Func<string, IReadOnlyList<QuerySample>>? Query = null);

/// <summary>
/// Label and annotation templates as Prometheus writes them: Go's <c>text/template</c> syntax
/// (<c>{{ $value }}</c>, <c>{{ $labels.instance }}</c>, pipes, <c>with</c>/<c>if</c>/<c>range</c>/<c>else</c>,
/// trim markers) with Prometheus's functions (<c>query</c>, <c>first</c>, <c>value</c>, <c>label</c>,
/// <c>humanize*</c>, <c>printf</c>, ...). Missing map keys render empty (<c>missingkey=zero</c>).
/// </summary>
public sealed class AlertTemplate
{
    private readonly IReadOnlyList<TemplateNode> nodes;

    private AlertTemplate(IReadOnlyList<TemplateNode> nodes, string text)
    {
        this.nodes = nodes;
        Text = text;
    }

    public string Text { get; }

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="TemplateException"/> with the reason when it does not compile.</summary>
    public static AlertTemplate Parse(string text) => new(TemplateParser.Parse(text), text);

    public string Render(TemplateData data)
    {
        var output = new StringBuilder();
        var scope = new TemplateScope(data);
        foreach (var node in nodes)
        {
            node.Render(output, scope, data);
        }
        return output.ToString();
    }

    /// <summary>Renders, or returns the text unchanged when it has no actions (the common case, without parsing).</summary>
    public static string Expand(string text, TemplateData data) =>
        text.Contains("{{", StringComparison.Ordinal) ? Parse(text).Render(data) : text;
}

/// <summary>The dot and the variables of one rendering.</summary>
internal sealed class TemplateScope(TemplateData data)
{
    public object? Dot { get; set; } = data;

    public Dictionary<string, object?> Variables { get; } = new(StringComparer.Ordinal)
    {
        ["$labels"] = data.Labels,
        ["$externalLabels"] = data.ExternalLabels,
        ["$externalURL"] = data.ExternalUrl,
        ["$value"] = data.Value,
        ["$"] = data,
    };
}
