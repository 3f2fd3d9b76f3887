using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Vigil.Metrics.Exposition;

/// <summary>Sample lines: <c>name{label="value",...} value [timestamp] [# {exemplar labels} value [timestamp]]</c>.</summary>
internal sealed partial class ExpositionReader
{
    private static readonly Comparer<Label> ByName = Comparer<Label>.Create(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
    private readonly List<Label> labels = [];
    private byte[] unescaped = new byte[256];

    private void ReadSample(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ((byte)'{' or (byte)' ' or (byte)'\t'))
        {
            i++;
        }
        if (!IsMetricName(line[..i]))
        {
            throw Error($"invalid metric name {Quote(line[..i])}");
        }
        labels.Clear();
        labels.Add(new Label(Label.MetricName, cache.Get(line[..i])!));
        if (i < line.Length && line[i] == '{')
        {
            ReadLabelSet(line, ref i, labels);
        }
        var sampleLabels = BuildLabels();
        if (SkipBlanks(line, ref i) == 0 || i == line.Length)
        {
            throw Error(i == line.Length ? "missing value" : "expected a space before the value");
        }
        var value = ReadValue(line, ref i);
        long? timestamp = null;
        if (SkipBlanks(line, ref i) > 0 && i < line.Length && line[i] != '#')
        {
            timestamp = ReadTimestamp(line, ref i);
            SkipBlanks(line, ref i);
        }
        if (i < line.Length)
        {
            if (!openMetrics || line[i] != '#')
            {
                throw Error($"unexpected text after the sample: {Quote(line[i..])}");
            }
            ReadExemplar(line, ref i);
        }
        samples.Add(new ExposedSample(sampleLabels, value, timestamp));
    }

    /// <summary>OpenMetrics exemplar after <c>#</c>: checked for syntax, then dropped (Prometheus 2.42 does not store them from scrapes by default).</summary>
    private void ReadExemplar(ReadOnlySpan<byte> line, ref int i)
    {
        i++;
        if (SkipBlanks(line, ref i) == 0 || i == line.Length || line[i] != '{')
        {
            throw Error("invalid exemplar: expected \" # {\"");
        }
        var exemplarLabels = new List<Label>();
        ReadLabelSet(line, ref i, exemplarLabels);
        if (SkipBlanks(line, ref i) == 0 || i == line.Length)
        {
            throw Error("invalid exemplar: missing value");
        }
        ReadValue(line, ref i);
        if (SkipBlanks(line, ref i) > 0 && i < line.Length)
        {
            ReadTimestamp(line, ref i);
        }
        if (i < line.Length)
        {
            throw Error($"unexpected text after the exemplar: {Quote(line[i..])}");
        }
    }

    /// <summary>Reads <c>{a="1",b="2"}</c> starting at the brace into <paramref name="into"/>.</summary>
    private void ReadLabelSet(ReadOnlySpan<byte> line, ref int i, List<Label> into)
    {
        i++;
        while (true)
        {
            SkipBlanksInBraces(line, ref i);
            if (i < line.Length && line[i] == '}')
            {
                i++;
                return;
            }
            var start = i;
            while (i < line.Length && line[i] is not ((byte)'=' or (byte)',' or (byte)'}' or (byte)' ' or (byte)'\t' or (byte)'"'))
            {
                i++;
            }
            if (!IsLabelName(line[start..i]))
            {
                throw Error(i == start && i == line.Length ? "unterminated label set" : $"invalid label name {Quote(line[start..i])}");
            }
            var name = cache.Get(line[start..i])!;
            SkipBlanksInBraces(line, ref i);
            if (i >= line.Length || line[i] != '=')
            {
                throw Error($"expected '=' after label name \"{name}\"");
            }
            i++;
            SkipBlanksInBraces(line, ref i);
            if (i >= line.Length || line[i] != '"')
            {
                throw Error($"expected '\"' to start the value of label \"{name}\"");
            }
            into.Add(new Label(name, ReadQuoted(line, ref i, name)));
            SkipBlanksInBraces(line, ref i);
            if (i < line.Length && line[i] == ',')
            {
                i++;
                continue;
            }
            if (i < line.Length && line[i] == '}')
            {
                i++;
                return;
            }
            throw Error(i >= line.Length ? "unterminated label set" : $"expected ',' or '}}' after the value of label \"{name}\"");
        }
    }

    private void SkipBlanksInBraces(ReadOnlySpan<byte> line, ref int i)
    {
        if (!openMetrics)
        {
            SkipBlanks(line, ref i);
        }
    }

    /// <summary>A quoted label value starting at the quote. Escapes <c>\\</c>, <c>\"</c> and <c>\n</c>; other escapes stay as written, as in Prometheus.</summary>
    private string ReadQuoted(ReadOnlySpan<byte> line, ref int i, string name)
    {
        var start = ++i;
        var escaped = false;
        while (i < line.Length && line[i] != '"')
        {
            if (line[i] == '\\')
            {
                escaped = true;
                i++;
            }
            i++;
        }
        if (i >= line.Length)
        {
            throw Error($"unterminated value of label \"{name}\"");
        }
        var raw = line[start..i];
        i++;
        var value = escaped ? cache.Get(Unescape(raw)) : cache.Get(raw);
        return value ?? throw Error($"invalid UTF-8 in the value of label \"{name}\"");
    }

    private ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> raw)
    {
        if (unescaped.Length < raw.Length)
        {
            unescaped = new byte[raw.Length * 2];
        }
        var n = 0;
        for (var j = 0; j < raw.Length; j++)
        {
            if (raw[j] == '\\' && j + 1 < raw.Length && raw[j + 1] is (byte)'\\' or (byte)'"' or (byte)'n')
            {
                j++;
                unescaped[n++] = raw[j] == 'n' ? (byte)'\n' : raw[j];
            }
            else
            {
                unescaped[n++] = raw[j];
            }
        }
        return unescaped.AsSpan(0, n);
    }

    /// <summary>Sorts the line's labels, rejects a repeated name, drops empty values.</summary>
    private Labels BuildLabels()
    {
        var span = CollectionsMarshal.AsSpan(labels);
        span.Sort(ByName);
        var nonEmpty = 0;
        for (var j = 0; j < span.Length; j++)
        {
            if (j > 0 && string.Equals(span[j].Name, span[j - 1].Name, StringComparison.Ordinal))
            {
                throw Error($"duplicate label name \"{span[j].Name}\"");
            }
            if (span[j].Value.Length > 0)
            {
                nonEmpty++;
            }
        }
        var result = new Label[nonEmpty];
        var k = 0;
        foreach (var l in span)
        {
            if (l.Value.Length > 0)
            {
                result[k++] = l;
            }
        }
        return Labels.FromSorted(result);
    }

    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> line, ref int i)
    {
        var start = i;
        while (i < line.Length && line[i] is not ((byte)' ' or (byte)'\t'))
        {
            i++;
        }
        return line[start..i];
    }

    private double ReadValue(ReadOnlySpan<byte> line, ref int i)
    {
        var token = Token(line, ref i);
        return TryParseFloat(token, out var value) ? value : throw Error($"invalid value {Quote(token)}");
    }

    /// <summary>Milliseconds as an integer in the text format; seconds with a fraction in OpenMetrics (truncated to ms, as Prometheus does).</summary>
    private long ReadTimestamp(ReadOnlySpan<byte> line, ref int i)
    {
        var token = Token(line, ref i);
        if (!openMetrics)
        {
            return long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
                ? ms
                : throw Error($"invalid timestamp {Quote(token)}");
        }
        if (!TryParseFloat(token, out var seconds) || double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            throw Error($"invalid timestamp {Quote(token)}");
        }
        return (long)(seconds * 1000);
    }

    /// <summary>Parses a float as Go's <c>strconv.ParseFloat</c> accepts it for exposition: decimals, exponents, NaN and ±Inf in any case.</summary>
    internal static bool TryParseFloat(ReadOnlySpan<byte> token, out double value)
    {
        var unsigned = token.Length > 0 && token[0] is (byte)'+' or (byte)'-' ? token[1..] : token;
        if (Ascii.EqualsIgnoreCase(unsigned, "inf"u8) || Ascii.EqualsIgnoreCase(unsigned, "infinity"u8))
        {
            value = token[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (Ascii.EqualsIgnoreCase(token, "nan"u8))
        {
            value = double.NaN;
            return true;
        }
        // Digits must be present: .NET would otherwise accept symbols such as "∞".
        if (token.IndexOfAnyInRange((byte)'0', (byte)'9') < 0)
        {
            value = 0;
            return false;
        }
        return double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }
}
