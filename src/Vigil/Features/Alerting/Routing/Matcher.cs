using System.Text;
using System.Text.RegularExpressions;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Routing;

public enum MatcherKind
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// One label matcher in Alertmanager's syntax (<c>severity="critical"</c>, <c>service=~"api|web"</c>,
/// <c>env!="dev"</c>, <c>team!~"db.*"</c>), as in Alertmanager <c>pkg/labels/parse.go</c>: the value
/// may be double-quoted (Go escapes) or bare; a regular expression is anchored at both ends; a label
/// that is absent has the empty value.
/// </summary>
public sealed class Matcher
{
    // The comparison is PromQL's: same operators, regular expressions anchored at both ends.
    private readonly LabelMatcher inner;

    private Matcher(string name, MatcherKind type, string value)
    {
        Name = name;
        Type = type;
        Value = value;
        inner = new LabelMatcher(name, type switch
        {
            MatcherKind.Equal => Vigil.Metrics.MatchType.Equal,
            MatcherKind.NotEqual => Vigil.Metrics.MatchType.NotEqual,
            MatcherKind.Regex => Vigil.Metrics.MatchType.RegexMatch,
            _ => Vigil.Metrics.MatchType.RegexNoMatch,
        }, value);
    }

    public string Name { get; }
    public MatcherKind Type { get; }
    public string Value { get; }

    public static Matcher Create(string name, MatcherKind type, string value) => new(name, type, value);

    public bool Matches(Labels labels) => inner.Matches(labels.Get(Name));

    public static string Operator(MatcherKind type) => type switch
    {
        MatcherKind.Equal => "=",
        MatcherKind.NotEqual => "!=",
        MatcherKind.Regex => "=~",
        _ => "!~",
    };

    /// <summary>Alertmanager's <c>Matcher.String()</c>: <c>name="value"</c> with the value quoted.</summary>
    public override string ToString() => $"{Name}{Operator(Type)}{Templates.GoJson.Quote(Value)}";

    /// <summary>Parses one matcher, or returns the reason it is not one.</summary>
    public static bool TryParse(string text, out Matcher? matcher, out string error)
    {
        matcher = null;
        error = "";
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_'))
        {
            i++;
        }
        var name = s[..i];
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            error = $"\"{text}\" is not a matcher: expected a label name then =, !=, =~ or !~ and a value, e.g. severity=\"critical\"";
            return false;
        }
        var rest = s[i..].TrimStart();
        MatcherKind type;
        if (rest.StartsWith("=~", StringComparison.Ordinal))
        {
            type = MatcherKind.Regex;
        }
        else if (rest.StartsWith("!~", StringComparison.Ordinal))
        {
            type = MatcherKind.NotRegex;
        }
        else if (rest.StartsWith("!=", StringComparison.Ordinal))
        {
            type = MatcherKind.NotEqual;
        }
        else if (rest.StartsWith('='))
        {
            type = MatcherKind.Equal;
        }
        else
        {
            error = $"\"{text}\" is not a matcher: expected =, !=, =~ or !~ after \"{name}\"";
            return false;
        }
        var raw = rest[(type == MatcherKind.Equal ? 1 : 2)..].Trim();
        string value;
        if (raw.StartsWith('"'))
        {
            if (!TryUnquote(raw, out value))
            {
                error = $"\"{text}\" is not a matcher: the value's quotes are not closed or it has a bad escape";
                return false;
            }
        }
        else
        {
            value = raw;
        }
        try
        {
            matcher = new Matcher(name, type, value);
            return true;
        }
        catch (ArgumentException e)
        {
            error = $"\"{text}\": invalid regular expression: {e.Message}";
            return false;
        }
    }

    public static Matcher Parse(string text) =>
        TryParse(text, out var m, out var error) ? m! : throw new FormatException(error);

    private static bool TryUnquote(string raw, out string value)
    {
        var text = new StringBuilder();
        value = "";
        for (var i = 1; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '"')
            {
                value = text.ToString();
                return i == raw.Length - 1;
            }
            if (c == '\\')
            {
                if (++i >= raw.Length)
                {
                    return false;
                }
                switch (raw[i])
                {
                    case '"': text.Append('"'); break;
                    case '\\': text.Append('\\'); break;
                    case 'n': text.Append('\n'); break;
                    case 't': text.Append('\t'); break;
                    default: return false;
                }
                continue;
            }
            text.Append(c);
        }
        return false;
    }
}

public static class Matchers
{
    public static bool MatchAll(this IReadOnlyList<Matcher> matchers, Labels labels) => matchers.All(m => m.Matches(labels));

    /// <summary>Alertmanager <c>labels.Matchers.String()</c>: <c>{a="1",b=~"x"}</c>, in the order given.</summary>
    public static string Format(IReadOnlyList<Matcher> matchers) => "{" + string.Join(',', matchers) + "}";

    /// <summary>Alertmanager's <c>Matchers.Less</c> order (name, value, then type), used for route keys.</summary>
    public static List<Matcher> Sorted(IEnumerable<Matcher> matchers) =>
        [.. matchers.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Value, StringComparer.Ordinal).ThenBy(m => m.Type)];
}
