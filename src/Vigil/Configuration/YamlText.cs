using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Configuration;

/// <summary>
/// Loads YAML text into a <see cref="YamlStream"/>, with every way the text can be refused as a
/// <see cref="YamlException"/>: YamlDotNet's scanner throws <see cref="InvalidOperationException"/>
/// on some malformed plain scalars, and its representation model <see cref="ArgumentException"/>
/// ("The current event is of an unsupported type") on some broken mappings (both found by fuzzing,
/// fuzz/README.md). Callers report one kind of error instead of crashing on the other two.
/// </summary>
public static class YamlText
{
    public static YamlStream Load(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new YamlException(Mark.Empty, Mark.Empty, "the text does not parse as YAML (a malformed scalar or mapping)", e);
        }
        return stream;
    }

    /// <summary>What a refusal of <see cref="Load"/> says: the scanner's own words when it wrapped them.</summary>
    public static string Reason(YamlException e) => e.InnerException?.Message ?? e.Message;

    /// <summary>
    /// A JSON value written as YAML block text (nulls left out), for a form that edits a part of a
    /// definition in the same words as <c>vigil.yaml</c>. The emitter quotes a string only where
    /// plain YAML would read it otherwise.
    /// </summary>
    public static string FromJson(JsonElement value)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(Node(value))).Save(writer, assignAnchors: false);
        var text = writer.ToString().TrimEnd();
        // The serializer ends a document with "...": a form shows only the value.
        return (text.EndsWith("...", StringComparison.Ordinal) ? text[..^3] : text).TrimEnd() + "\n";
    }

    private static YamlNode Node(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => new YamlMappingNode(value.EnumerateObject()
            .Where(p => p.Value.ValueKind != JsonValueKind.Null)
            .Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Name), Node(p.Value)))),
        JsonValueKind.Array => new YamlSequenceNode(value.EnumerateArray().Select(Node)),
        JsonValueKind.String => new YamlScalarNode(value.GetString()),
        _ => new YamlScalarNode(value.GetRawText()),
    };
}
