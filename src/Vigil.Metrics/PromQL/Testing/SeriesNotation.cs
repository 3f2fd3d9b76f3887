using System.Globalization;

namespace Vigil.Metrics.PromQL.Testing;

/// <summary>One step of a series written in test notation: a value, or a gap (<c>_</c>).</summary>
/// <param name="Value">The value (the staleness marker for <c>stale</c>).</param>
/// <param name="Omitted">True when the step has no sample.</param>
public readonly record struct SeriesValue(double Value, bool Omitted);

/// <summary>A series line of a test script: its labels and its values, one per interval from time 0.</summary>
/// <param name="Labels">The series' labels, including <c>__name__</c> when named.</param>
/// <param name="Values">Values, the first at time 0, the next one interval later, and so on.</param>
public sealed record SeriesDescription(Labels Labels, IReadOnlyList<SeriesValue> Values);

/// <summary>
/// The expanding series notation of Prometheus test scripts and promtool rule tests
/// (<c>input_series</c>): <c>metric{a="b"} 1 2 _ 0+10x5 3-1x2 7x3 _x2 stale</c>.
/// <c>a+bxN</c> gives N+1 values a, a+b, …; <c>axN</c> N+1 copies; <c>_xN</c> N gaps.
/// </summary>
public static class SeriesNotation
{
    /// <summary>Parses a whole series line: the metric (<c>name{labels}</c> or <c>{__name__="name", ...}</c>) then its values.</summary>
    /// <exception cref="FormatException">The line is not in series notation.</exception>
    public static SeriesDescription ParseSeries(string line)
    {
        line = line.Trim();
        var end = MetricEnd(line);
        return new SeriesDescription(ParseMetric(line[..end]), ParseValues(line[end..]));
    }

    /// <summary>Parses <c>name{a="b", ...}</c>, <c>name</c> or <c>{__name__="name", ...}</c> into labels.</summary>
    public static Labels ParseMetric(string text)
    {
        List<Token> tokens;
        try
        {
            tokens = Lexer.Tokenize(text);
        }
        catch (PromQLParseException e)
        {
            throw new FormatException($"invalid metric \"{text}\": {e.Reason}", e);
        }
        var labels = new List<Label>();
        var i = 0;
        if (tokens[i].Kind is TokenKind.Identifier or TokenKind.MetricIdentifier)
        {
            labels.Add(new Label(Label.MetricName, tokens[i++].Text));
        }
        if (tokens[i].Kind == TokenKind.LeftBrace)
        {
            i++;
            while (tokens[i].Kind != TokenKind.RightBrace)
            {
                if (tokens[i].Kind != TokenKind.Identifier || tokens[i + 1] is not { Kind: TokenKind.Operator, Text: "=" } || tokens[i + 2].Kind != TokenKind.String)
                {
                    throw new FormatException($"invalid label in metric \"{text}\" at offset {tokens[i].Position}");
                }
                labels.Add(new Label(tokens[i].Text, tokens[i + 2].Text));
                i += 3;
                if (tokens[i].Kind == TokenKind.Comma)
                {
                    i++;
                }
            }
            i++;
        }
        if (tokens[i].Kind != TokenKind.Eof)
        {
            throw new FormatException($"unexpected \"{tokens[i].Text}\" in metric \"{text}\"");
        }
        return Labels.From(labels);
    }

    /// <summary>Parses the values part: space-separated items expanded into one value per step.</summary>
    public static IReadOnlyList<SeriesValue> ParseValues(string text)
    {
        var values = new List<SeriesValue>();
        foreach (var item in text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            ExpandItem(item, values);
        }
        return values;
    }

    private static void ExpandItem(string item, List<SeriesValue> values)
    {
        var x = item.IndexOf('x', StringComparison.Ordinal);
        if (x < 0)
        {
            values.Add(item == "_" ? new SeriesValue(0, true) : new SeriesValue(ParseValue(item), false));
            return;
        }
        if (!int.TryParse(item.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new FormatException($"invalid repetition in \"{item}\"");
        }
        var head = item[..x];
        if (head == "_")
        {
            for (var i = 0; i < n; i++)
            {
                values.Add(new SeriesValue(0, true));
            }
            return;
        }
        var split = DeltaSplit(head);
        var start = ParseValue(split < 0 ? head : head[..split]);
        var delta = split < 0 ? 0 : ParseValue(head[split..]);
        var v = start;
        values.Add(new SeriesValue(v, false));
        for (var i = 0; i < n; i++)
        {
            // Added step by step in float64, as Prometheus does (so rounding matches).
            v += delta;
            values.Add(new SeriesValue(v, false));
        }
    }

    /// <summary>Index of the sign that starts the delta in <c>a+b</c>/<c>a-b</c>, or -1.</summary>
    private static int DeltaSplit(string head)
    {
        for (var i = 1; i < head.Length; i++)
        {
            if (head[i] is '+' or '-' && head[i - 1] is not ('e' or 'E'))
            {
                return i;
            }
        }
        return -1;
    }

    private static double ParseValue(string s)
    {
        if (s == "stale")
        {
            return Sample.StaleNaN;
        }
        if (!Numbers.TryParseFloat(s, out var v))
        {
            throw new FormatException($"invalid value \"{s}\"");
        }
        return v;
    }

    /// <summary>Where the metric part of a series line ends (after the closing brace, or at the first space).</summary>
    internal static int MetricEnd(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOfAny([' ', '\t']);
        if (brace < 0 || (space >= 0 && space < brace))
        {
            return space < 0 ? line.Length : space;
        }
        var inQuote = '\0';
        for (var i = brace; i < line.Length; i++)
        {
            var c = line[i];
            if (inQuote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == inQuote)
                {
                    inQuote = '\0';
                }
            }
            else if (c is '"' or '\'' or '`')
            {
                inQuote = c;
            }
            else if (c == '}')
            {
                return i + 1;
            }
        }
        throw new FormatException($"unclosed brace in \"{line}\"");
    }
}
