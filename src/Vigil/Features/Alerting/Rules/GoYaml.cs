using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Vigil.Features.Alerting.Rules;

/// <summary>A YAML node as gopkg.in/yaml.v2 sees it: its kind, its resolved tag, its 1-based line.</summary>
internal sealed record GoYamlNode(GoYamlKind Kind, string Value, string Tag, int Line, IReadOnlyList<GoYamlNode> Items, IReadOnlyList<(GoYamlNode Key, GoYamlNode Value)> Pairs)
{
    /// <summary>The 1-based column (yaml.v3's <c>Node.Column</c>).</summary>
    public int Column { get; init; }

    public GoYamlNode? this[string key] => Kind == GoYamlKind.Mapping ? Pairs.FirstOrDefault(p => p.Key.Value == key).Value : null;

    public bool IsNull => Kind == GoYamlKind.Scalar && Tag == "!!null";
}

internal enum GoYamlKind
{
    Scalar,
    Sequence,
    Mapping,
}

/// <summary>
/// Reads YAML into <see cref="GoYamlNode"/>s, keeping duplicate keys (YamlDotNet's own tree
/// rejects them before promtool's messages can be given), and resolves plain scalars to the
/// tags of gopkg.in/yaml.v2 (resolve.go), which promtool's messages name: <c>!!str</c>,
/// <c>!!int</c>, <c>!!float</c>, <c>!!bool</c>, <c>!!null</c>.
/// </summary>
internal static partial class GoYaml
{
    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    private static readonly HashSet<string> Bools =
        ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"];

    private static readonly HashSet<string> SpecialFloats =
        [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"];

    /// <summary>The first document's root, or null when the text has none.</summary>
    /// <exception cref="YamlException">The text is not YAML.</exception>
    public static GoYamlNode? Load(string text)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _))
            {
                return null;
            }
            return Read(parser, []);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner fails with InvalidOperationException on some unterminated flow
            // collections, and its parser with ArgumentException on a verbatim tag that is not a URI
            // (`!<:>`, "Global tags must be valid URIs"; found by fuzzing, fuzz/README.md). go-yaml
            // keeps any tag; Vigil refuses the file with a syntax error rather than crash.
            var mark = parser.Current?.End ?? Mark.Empty;
            var message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            throw new YamlException(mark, mark, message);
        }
    }

    /// <summary>
    /// libyaml's words for a syntax error, as yaml.v2 prints them: <c>yaml: line N: did not find expected key</c>.
    /// A parser error is reported on the line before YamlDotNet's (libyaml counts it from 0 there),
    /// a scanner error on the same line; YamlDotNet's "While parsing a block mapping, " context is dropped.
    /// </summary>
    public static string SyntaxError(YamlException e)
    {
        var message = e.Message.TrimEnd('.');
        var line = (int)e.Start.Line;
        var parsing = message.StartsWith("While parsing", StringComparison.Ordinal);
        var comma = message.IndexOf(", ", StringComparison.Ordinal);
        if (message.StartsWith("While ", StringComparison.Ordinal) && comma > 0)
        {
            message = message[(comma + 2)..];
        }
        message = message switch
        {
            "found invalid mapping" or "Mapping values are not allowed in this context" => "mapping values are not allowed in this context",
            "found a tab character that violate indentation" => "found a tab character that violates indentation",
            _ => message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message,
        };
        if (message == "found a tab character that violates indentation")
        {
            line++;
        }
        return $"yaml: line {(parsing ? line - 1 : line)}: {message}";
    }

    private static GoYamlNode Read(IParser parser, Dictionary<string, GoYamlNode> anchors)
    {
        var line = (int)parser.Current!.Start.Line;
        var column = (int)parser.Current!.Start.Column;
        GoYamlNode node;
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target) ? target : throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value}' referenced");
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var tag = !scalar.Tag.IsEmpty ? ShortTag(scalar.Tag.Value) : scalar.Style == ScalarStyle.Plain ? Resolve(scalar.Value) : "!!str";
            node = new GoYamlNode(GoYamlKind.Scalar, scalar.Value, tag, line, [], []) { Column = column };
            Remember(scalar.Anchor, node, anchors);
            return node;
        }
        if (parser.TryConsume<SequenceStart>(out var sequence))
        {
            var items = new List<GoYamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(Read(parser, anchors));
            }
            node = new GoYamlNode(GoYamlKind.Sequence, "", "!!seq", line, items, []) { Column = column };
            Remember(sequence.Anchor, node, anchors);
            return node;
        }
        var mapping = parser.Consume<MappingStart>();
        var pairs = new List<(GoYamlNode, GoYamlNode)>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = Read(parser, anchors);
            pairs.Add((key, Read(parser, anchors)));
        }
        node = new GoYamlNode(GoYamlKind.Mapping, "", "!!map", line, [], pairs) { Column = column };
        Remember(mapping.Anchor, node, anchors);
        return node;
    }

    private static void Remember(AnchorName anchor, GoYamlNode node, Dictionary<string, GoYamlNode> anchors)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }

    private static string ShortTag(string tag) =>
        tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal) ? "!!" + tag["tag:yaml.org,2002:".Length..] : tag;

    private static string Resolve(string plain) =>
        plain is "" or "~" or "null" or "Null" or "NULL" ? "!!null"
        : Bools.Contains(plain) ? "!!bool"
        : IntPattern().IsMatch(plain) ? "!!int"
        : FloatPattern().IsMatch(plain) || SpecialFloats.Contains(plain) ? "!!float"
        : "!!str";

    /// <summary>The number of a scalar resolved as <c>!!int</c> or <c>!!float</c> (yaml.v2 decodes both into a float64).</summary>
    public static double Number(GoYamlNode node)
    {
        var text = node.Value.Replace("_", "", StringComparison.Ordinal);
        if (node.Tag == "!!float")
        {
            return text.TrimStart('+', '-').ToLowerInvariant() switch
            {
                ".inf" => text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity,
                ".nan" => double.NaN,
                _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
        }
        var negative = text.StartsWith('-');
        var digits = text.TrimStart('+', '-');
        var value = digits.StartsWith("0x", StringComparison.Ordinal) ? Convert.ToInt64(digits[2..], 16)
            : digits.StartsWith("0b", StringComparison.Ordinal) ? Convert.ToInt64(digits[2..], 2)
            : digits.StartsWith("0o", StringComparison.Ordinal) ? Convert.ToInt64(digits[2..], 8)
            : digits.Length > 1 && digits[0] == '0' && digits.All(c => c is >= '0' and <= '7') ? Convert.ToInt64(digits, 8)
            : double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }

    /// <summary>yaml.v2's type error: <c>line 3: cannot unmarshal !!str `abc` into float64</c> (values over 10 characters cut to 7 and <c>...</c>).</summary>
    public static string TypeError(GoYamlNode node, string type)
    {
        var value = node.Kind != GoYamlKind.Scalar ? "" : node.Value.Length > 10 ? $" `{node.Value[..7]}...`" : $" `{node.Value}`";
        return $"line {node.Line}: cannot unmarshal {node.Tag}{value} into {type}";
    }
}
