using System.Text.RegularExpressions;

namespace Vigil.Metrics;

/// <summary>How a <see cref="LabelMatcher"/> compares a label value.</summary>
public enum MatchType
{
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>=~</c>, a fully anchored regular expression.</summary>
    RegexMatch,
    /// <summary><c>!~</c>, a fully anchored regular expression.</summary>
    RegexNoMatch,
}

/// <summary>
/// A label matcher as in PromQL selectors. Regular expressions are fully anchored, as in
/// Prometheus (<c>=~"5.."</c> matches <c>500</c>, not <c>1500</c>). A label that is absent has the
/// empty value, so <c>{foo=""}</c> selects series without <c>foo</c>.
/// </summary>
public sealed class LabelMatcher
{
    private readonly Regex? regex;

    /// <summary>Creates a matcher; throws <see cref="ArgumentException"/> for an invalid regular expression.</summary>
    public LabelMatcher(string name, MatchType type, string value)
    {
        Name = name;
        Type = type;
        Value = value;
        if (type is MatchType.RegexMatch or MatchType.RegexNoMatch)
        {
            // \z, not $: in .NET "$" also matches before a final newline, and RE2 (Prometheus) does not.
            regex = new Regex("^(?:" + value + @")\z", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }
    }

    /// <summary>The label name.</summary>
    public string Name { get; }

    /// <summary>The comparison.</summary>
    public MatchType Type { get; }

    /// <summary>The value or the regular expression as written.</summary>
    public string Value { get; }

    /// <summary>Whether a label value (empty when the label is absent) satisfies this matcher.</summary>
    public bool Matches(string value) => Type switch
    {
        MatchType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.RegexMatch => regex!.IsMatch(value),
        MatchType.RegexNoMatch => !regex!.IsMatch(value),
        _ => false,
    };

    /// <summary>Whether this matcher also selects series that do not have the label at all.</summary>
    public bool MatchesEmpty => Matches(string.Empty);

    /// <summary>Shorthand for an equality matcher.</summary>
    public static LabelMatcher Equal(string name, string value) => new(name, MatchType.Equal, value);

    /// <inheritdoc />
    public override string ToString()
    {
        var op = Type switch
        {
            MatchType.Equal => "=",
            MatchType.NotEqual => "!=",
            MatchType.RegexMatch => "=~",
            _ => "!~",
        };
        return $"{Name}{op}\"{Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
    }
}
