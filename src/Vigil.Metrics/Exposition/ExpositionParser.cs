using System.Text;

namespace Vigil.Metrics.Exposition;

/// <summary>
/// Parses the Prometheus text format 0.0.4 and OpenMetrics 1.0 text the way Prometheus 2.42's
/// scraper reads them. OpenMetrics <c>_created</c> series are returned as ordinary samples, as
/// Prometheus 2.42 ingests them (it has no created-timestamp handling yet); exemplars are
/// checked for syntax and dropped.
/// </summary>
public static class ExpositionParser
{
    /// <summary>
    /// Parses a whole exposition from UTF-8 bytes. Throws <see cref="ExpositionException"/> with the
    /// line number and reason at the first error. Pass the same <paramref name="cache"/> for every
    /// scrape of a target to reuse label strings.
    /// </summary>
    public static ExpositionResult Parse(ReadOnlySpan<byte> utf8, ExpositionFormat format, LabelStringCache? cache = null) =>
        new ExpositionReader(format, cache ?? new LabelStringCache()).Read(utf8);

    /// <summary>Parses a whole exposition given as a string; see <see cref="Parse(ReadOnlySpan{byte}, ExpositionFormat, LabelStringCache?)"/>.</summary>
    public static ExpositionResult Parse(string text, ExpositionFormat format, LabelStringCache? cache = null) =>
        Parse(Encoding.UTF8.GetBytes(text), format, cache);
}

/// <summary>The state of one parse: the line loop and the comment lines.</summary>
internal sealed partial class ExpositionReader(ExpositionFormat format, LabelStringCache cache)
{
    private readonly bool openMetrics = format == ExpositionFormat.OpenMetrics;
    private readonly List<ExposedSample> samples = [];
    private readonly Dictionary<string, MetricMetadata> metadata = new(StringComparer.Ordinal);
    private readonly List<string> metadataOrder = [];
    private int lineNumber;

    public ExpositionResult Read(ReadOnlySpan<byte> data)
    {
        var sawEof = false;
        var pos = 0;
        while (pos < data.Length)
        {
            lineNumber++;
            var rest = data[pos..];
            var newline = rest.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            pos = newline < 0 ? data.Length : pos + newline + 1;
            if (sawEof)
            {
                throw Error("unexpected data after # EOF");
            }
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }
            if (!openMetrics)
            {
                line = line.TrimStart(" \t"u8);
            }
            if (line.IsEmpty)
            {
                if (openMetrics)
                {
                    throw Error("empty line (OpenMetrics allows none)");
                }
                continue;
            }
            if (line[0] == '#')
            {
                sawEof = ReadComment(line);
                continue;
            }
            ReadSample(line);
        }
        if (openMetrics && !sawEof)
        {
            lineNumber = Math.Max(lineNumber, 1);
            throw Error("data does not end with # EOF");
        }
        return new ExpositionResult(samples, [.. metadataOrder.Select(n => metadata[n])]);
    }

    private ExpositionException Error(string reason) => new(lineNumber, reason);

    /// <summary>Reads a comment line; returns true for OpenMetrics <c># EOF</c>.</summary>
    private bool ReadComment(ReadOnlySpan<byte> line)
    {
        if (openMetrics && line.SequenceEqual("# EOF"u8))
        {
            return true;
        }
        var i = 1;
        var blanks = SkipBlanks(line, ref i);
        var keywordStart = i;
        while (i < line.Length && line[i] is not ((byte)' ' or (byte)'\t'))
        {
            i++;
        }
        var keyword = line[keywordStart..i];
        var isHelp = keyword.SequenceEqual("HELP"u8);
        var isType = keyword.SequenceEqual("TYPE"u8);
        var isUnit = openMetrics && keyword.SequenceEqual("UNIT"u8);
        if (blanks == 0 || !(isHelp || isType || isUnit) || i == line.Length)
        {
            if (openMetrics)
            {
                throw Error("invalid comment: OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF");
            }
            return false; // an ordinary comment in the text format
        }
        SkipBlanks(line, ref i);
        var nameStart = i;
        while (i < line.Length && line[i] is not ((byte)' ' or (byte)'\t'))
        {
            i++;
        }
        var nameBytes = line[nameStart..i];
        if (!IsMetricName(nameBytes))
        {
            throw Error($"invalid metric name {Quote(nameBytes)} in # {Encoding.ASCII.GetString(keyword)}");
        }
        var name = cache.Get(nameBytes)!;
        var text = ReadOnlySpan<byte>.Empty;
        if (i < line.Length)
        {
            i++;
            text = line[i..];
        }
        var current = metadata.TryGetValue(name, out var m) ? m : new MetricMetadata(name, MetricType.Unknown, "", "");
        if (!metadata.ContainsKey(name))
        {
            metadataOrder.Add(name);
        }
        if (isHelp)
        {
            current = current with { Help = UnescapeHelp(text) };
        }
        else if (isType)
        {
            current = current with { Type = ParseType(text.TrimEnd(" \t"u8)) };
        }
        else
        {
            var unit = Encoding.UTF8.GetString(text);
            // Prometheus 2.42 requires the unit to be a suffix of the family name after an underscore.
            if (unit.Length > 0 && !name.EndsWith("_" + unit, StringComparison.Ordinal))
            {
                throw Error($"unit \"{unit}\" is not a suffix of metric \"{name}\"");
            }
            current = current with { Unit = unit };
        }
        metadata[name] = current;
        return false;
    }

    private MetricType ParseType(ReadOnlySpan<byte> text)
    {
        var type = Encoding.UTF8.GetString(text);
        return (type, openMetrics) switch
        {
            ("counter", _) => MetricType.Counter,
            ("gauge", _) => MetricType.Gauge,
            ("histogram", _) => MetricType.Histogram,
            ("summary", _) => MetricType.Summary,
            ("untyped", false) => MetricType.Unknown,
            ("unknown", true) => MetricType.Unknown,
            ("gaugehistogram", true) => MetricType.GaugeHistogram,
            ("stateset", true) => MetricType.StateSet,
            ("info", true) => MetricType.Info,
            _ => throw Error($"invalid metric type \"{type}\""),
        };
    }

    /// <summary>Help escapes: <c>\\</c> and <c>\n</c> in the text format, also <c>\"</c> in OpenMetrics; others stay as written.</summary>
    private string UnescapeHelp(ReadOnlySpan<byte> text)
    {
        if (text.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(text);
        }
        var buffer = new byte[text.Length];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && (text[i + 1] is (byte)'\\' or (byte)'n' || (openMetrics && text[i + 1] == '"')))
            {
                i++;
                buffer[n++] = text[i] == 'n' ? (byte)'\n' : text[i];
            }
            else
            {
                buffer[n++] = text[i];
            }
        }
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private int SkipBlanks(ReadOnlySpan<byte> line, ref int i)
    {
        var start = i;
        if (openMetrics)
        {
            // OpenMetrics separates tokens with exactly one space.
            if (i < line.Length && line[i] == ' ')
            {
                i++;
            }
            return i - start;
        }
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }
        return i - start;
    }

    internal static bool IsMetricName(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !(IsLetterOrUnderscore(s[0]) || s[0] == ':'))
        {
            return false;
        }
        foreach (var b in s)
        {
            if (!(IsLetterOrUnderscore(b) || b is >= (byte)'0' and <= (byte)'9' || b == ':'))
            {
                return false;
            }
        }
        return true;
    }

    internal static bool IsLabelName(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !IsLetterOrUnderscore(s[0]))
        {
            return false;
        }
        foreach (var b in s)
        {
            if (!(IsLetterOrUnderscore(b) || b is >= (byte)'0' and <= (byte)'9'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsLetterOrUnderscore(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or (byte)'_';

    private static string Quote(ReadOnlySpan<byte> token) => "\"" + Encoding.UTF8.GetString(token) + "\"";
}
