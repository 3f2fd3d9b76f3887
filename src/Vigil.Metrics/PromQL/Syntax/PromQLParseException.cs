namespace Vigil.Metrics.PromQL;

/// <summary>
/// A PromQL expression that cannot be parsed or does not type-check. The message reads as
/// Prometheus's: <c>1:5: parse error: unexpected &lt;op:+&gt;</c>.
/// </summary>
public sealed class PromQLParseException : Exception
{
    /// <summary>Creates the exception for <paramref name="reason"/> at byte offset <paramref name="offset"/> of <paramref name="query"/>.</summary>
    public PromQLParseException(string query, int offset, string reason)
        : base(Format(query, offset, reason, out var line, out var column))
    {
        Offset = offset;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>Zero-based character offset of the error in the query.</summary>
    public int Offset { get; }

    /// <summary>One-based line of the error.</summary>
    public int Line { get; }

    /// <summary>One-based column of the error.</summary>
    public int Column { get; }

    /// <summary>The reason, without position, e.g. <c>unclosed left parenthesis</c>.</summary>
    public string Reason { get; }

    private static string Format(string query, int offset, string reason, out int line, out int column)
    {
        line = 1;
        var lineStart = 0;
        var end = Math.Clamp(offset, 0, query.Length);
        for (var i = 0; i < end; i++)
        {
            if (query[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        column = end - lineStart + 1;
        return $"{line}:{column}: parse error: {reason}";
    }
}

/// <summary>A query that parsed but failed while being evaluated (for example many-to-many matching).</summary>
public sealed class PromQLEvaluationException(string message) : Exception(message);
