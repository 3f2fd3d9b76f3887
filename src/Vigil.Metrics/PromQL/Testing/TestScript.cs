using System.Text.RegularExpressions;

namespace Vigil.Metrics.PromQL.Testing;

/// <summary>A command of a PromQL test script.</summary>
/// <param name="Line">One-based line of the command.</param>
public abstract record TestCommand(int Line);

/// <summary><c>load &lt;interval&gt;</c> with its series.</summary>
/// <param name="Line">One-based line.</param>
/// <param name="IntervalMs">Time between consecutive values.</param>
/// <param name="Series">The series to load.</param>
public sealed record LoadCommand(int Line, long IntervalMs, IReadOnlyList<SeriesDescription> Series) : TestCommand(Line);

/// <summary><c>clear</c>: drop all loaded data.</summary>
/// <param name="Line">One-based line.</param>
public sealed record ClearCommand(int Line) : TestCommand(Line);

/// <summary>One expected sample of an eval.</summary>
/// <param name="Labels">Expected labels.</param>
/// <param name="Value">Expected value.</param>
public sealed record ExpectedSample(Labels Labels, double Value);

/// <summary><c>eval instant at</c>, <c>eval_ordered</c> or <c>eval_fail</c> with its expected result.</summary>
/// <param name="Line">One-based line.</param>
/// <param name="Query">The PromQL expression.</param>
/// <param name="TimeMs">The evaluation time.</param>
/// <param name="Ordered">Whether the result order must match (<c>eval_ordered</c>).</param>
/// <param name="ExpectFailure">Whether the query must fail (<c>eval_fail</c>).</param>
/// <param name="Expected">Expected samples (an empty list means an empty result).</param>
/// <param name="ExpectedScalar">The expected scalar, when the expectation is a plain number.</param>
public sealed record EvalCommand(int Line, string Query, long TimeMs, bool Ordered, bool ExpectFailure,
    IReadOnlyList<ExpectedSample> Expected, double? ExpectedScalar) : TestCommand(Line);

/// <summary>
/// A parsed PromQL test script in the format of Prometheus's <c>promql/test.go</c>: lines are
/// trimmed, <c>#</c> lines count as empty, an empty line ends a block.
/// </summary>
/// <param name="Commands">The commands in order.</param>
public sealed partial record TestScript(IReadOnlyList<TestCommand> Commands)
{
    [GeneratedRegex(@"^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex EvalPattern();

    [GeneratedRegex(@"^load\s+(.+?)$", RegexOptions.CultureInvariant)]
    private static partial Regex LoadPattern();

    /// <summary>Parses a script.</summary>
    /// <exception cref="FormatException">A line is not valid; the message names the line.</exception>
    public static TestScript Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Select(l => l.StartsWith('#') ? "" : l).ToArray();
        var commands = new List<TestCommand>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }
            var word = line.Split([' ', '\t'], 2)[0].ToLowerInvariant();
            try
            {
                if (word == "clear")
                {
                    commands.Add(new ClearCommand(i + 1));
                }
                else if (word == "load")
                {
                    commands.Add(ParseLoad(lines, ref i));
                }
                else if (word.StartsWith("eval", StringComparison.Ordinal))
                {
                    commands.Add(ParseEval(lines, ref i));
                }
                else
                {
                    throw new FormatException($"invalid command \"{line}\"");
                }
            }
            catch (FormatException e) when (!e.Message.StartsWith("line ", StringComparison.Ordinal))
            {
                throw new FormatException($"line {i + 1}: {e.Message}", e);
            }
        }
        return new TestScript(commands);
    }

    private static LoadCommand ParseLoad(string[] lines, ref int i)
    {
        var start = i;
        var m = LoadPattern().Match(lines[i]);
        if (!m.Success || !Numbers.TryParseDuration(m.Groups[1].Value, out var interval))
        {
            throw new FormatException($"invalid load command \"{lines[i]}\"");
        }
        var series = new List<SeriesDescription>();
        while (i + 1 < lines.Length && lines[i + 1].Length > 0)
        {
            i++;
            try
            {
                series.Add(SeriesNotation.ParseSeries(lines[i]));
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1}: {e.Message}", e);
            }
        }
        return new LoadCommand(start + 1, interval, series);
    }

    private static EvalCommand ParseEval(string[] lines, ref int i)
    {
        var start = i;
        var m = EvalPattern().Match(lines[i]);
        if (!m.Success)
        {
            throw new FormatException($"invalid evaluation command \"{lines[i]}\"");
        }
        long at = 0;
        if (m.Groups[2].Success && !Numbers.TryParseDuration(m.Groups[2].Value, out at))
        {
            throw new FormatException($"invalid evaluation time \"{m.Groups[2].Value}\"");
        }
        var expected = new List<ExpectedSample>();
        double? scalar = null;
        while (i + 1 < lines.Length && lines[i + 1].Length > 0)
        {
            i++;
            var line = lines[i];
            if (Numbers.TryParseLiteral(line, out var number))
            {
                scalar = number;
                continue;
            }
            try
            {
                var series = SeriesNotation.ParseSeries(line);
                if (series.Values.Count != 1)
                {
                    throw new FormatException("expecting multiple values in instant evaluation not allowed");
                }
                expected.Add(new ExpectedSample(series.Labels, series.Values[0].Value));
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1}: {e.Message}", e);
            }
        }
        var mode = m.Groups[1].Value;
        return new EvalCommand(start + 1, m.Groups[3].Value, at, mode == "ordered", mode == "fail", expected, scalar);
    }
}
