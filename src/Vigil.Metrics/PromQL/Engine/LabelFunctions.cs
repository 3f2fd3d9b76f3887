using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Metrics.PromQL;

/// <summary><c>label_replace</c> and <c>label_join</c> (Prometheus 2.42 semantics; both keep the metric name).</summary>
internal static partial class LabelFunctions
{
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelNamePattern();

    public static bool IsValidLabelName(string name) => LabelNamePattern().IsMatch(name);

    public static InstantFunction Replace(CallExpr call)
    {
        var dst = PromQLEngine.StringOf(call.Args[1]);
        var replacement = PromQLEngine.StringOf(call.Args[2]);
        var src = PromQLEngine.StringOf(call.Args[3]);
        var pattern = PromQLEngine.StringOf(call.Args[4]);
        Regex regex;
        try
        {
            // Go's RE2 spells named groups (?P<name>...); .NET spells them (?<name>...).
            regex = new Regex("^(?:" + pattern.Replace("(?P<", "(?<", StringComparison.Ordinal) + ")$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }
        catch (ArgumentException)
        {
            throw new PromQLEvaluationException($"invalid regular expression in label_replace(): {pattern}");
        }
        if (!IsValidLabelName(dst))
        {
            throw new PromQLEvaluationException($"invalid destination label name in label_replace(): {dst}");
        }
        var cache = new Dictionary<Labels, Labels>();
        return (a, ts, o) =>
        {
            foreach (var s in a[0])
            {
                if (!cache.TryGetValue(s.Labels, out var labels))
                {
                    var m = regex.Match(s.Labels.Get(src));
                    labels = m.Success ? s.Labels.With(dst, Expand(regex, m, replacement)) : s.Labels;
                    cache[s.Labels] = labels;
                }
                o.Add(new VecSample(labels, s.Value));
            }
        };
    }

    /// <summary>
    /// Go's <c>Regexp.Expand</c>: <c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>$$</c>; a name runs as far
    /// as letters, digits and underscores go (<c>$1x</c> is the group "1x"); unknown groups expand to nothing.
    /// </summary>
    internal static string Expand(Regex regex, Match match, string template)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (template[i + 1] == '$')
            {
                sb.Append('$');
                i += 2;
                continue;
            }
            var brace = template[i + 1] == '{';
            var j = i + (brace ? 2 : 1);
            var nameStart = j;
            while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_'))
            {
                j++;
            }
            var name = template[nameStart..j];
            if (name.Length == 0 || (brace && (j >= template.Length || template[j] != '}')))
            {
                sb.Append('$');
                i++;
                continue;
            }
            i = brace ? j + 1 : j;
            Group? g = null;
            if (name.All(char.IsAsciiDigit))
            {
                if (name.Length < 9 && int.TryParse(name, out var num) && num < match.Groups.Count && regex.GetGroupNumbers().Contains(num))
                {
                    g = match.Groups[num];
                }
            }
            else if (regex.GetGroupNames().Contains(name))
            {
                g = match.Groups[name];
            }
            if (g is { Success: true })
            {
                sb.Append(g.Value);
            }
        }
        return sb.ToString();
    }

    public static InstantFunction Join(CallExpr call)
    {
        var dst = PromQLEngine.StringOf(call.Args[1]);
        var sep = PromQLEngine.StringOf(call.Args[2]);
        var sources = call.Args.Skip(3).Select(PromQLEngine.StringOf).ToArray();
        foreach (var s in sources)
        {
            if (!IsValidLabelName(s))
            {
                throw new PromQLEvaluationException($"invalid source label name in label_join(): {s}");
            }
        }
        if (!IsValidLabelName(dst))
        {
            throw new PromQLEvaluationException($"invalid destination label name in label_join(): {dst}");
        }
        var cache = new Dictionary<Labels, Labels>();
        return (a, ts, o) =>
        {
            foreach (var s in a[0])
            {
                if (!cache.TryGetValue(s.Labels, out var labels))
                {
                    labels = s.Labels.With(dst, string.Join(sep, sources.Select(s.Labels.Get)));
                    cache[s.Labels] = labels;
                }
                o.Add(new VecSample(labels, s.Value));
            }
        };
    }
}
