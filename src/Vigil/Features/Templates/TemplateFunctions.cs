using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Metrics;

namespace Vigil.Features.Templates;

/// <summary>The functions Prometheus gives its templates (template/template.go) and the Go built-ins rules use.</summary>
internal static class TemplateFunctions
{
    private static readonly HashSet<string> Names =
    [
        "query", "first", "label", "value", "strvalue", "args", "sortByLabel", "humanize", "humanize1024",
        "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "title", "toUpper", "toLower", "match",
        "reReplaceAll", "safeHtml", "stripPort", "stripDomain", "externalURL", "pathPrefix", "parseDuration",
        "printf", "print", "len", "index", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "urlquery", "html", "js",
    ];

    public static bool Exists(string name) => Names.Contains(name);

    public static object? Call(string name, List<object?> args, TemplateData data)
    {
        object? Arg(int i) => i < args.Count ? args[i] : throw new TemplateException($"wrong number of args for {name}: want more than {args.Count}");
        return name switch
        {
            "query" => data.Query?.Invoke((string)Arg(0)!) ?? throw new TemplateException("query is not available here"),
            "first" => Arg(0) is IReadOnlyList<QuerySample> { Count: > 0 } list ? list[0] : throw new TemplateException("first() called on vector with no elements"),
            "label" => Arg(1) is QuerySample s ? s.Labels.Get((string)Arg(0)!) : "",
            "value" => Arg(0) is QuerySample v ? v.Value : TemplateValues.ToFloat(Arg(0)),
            "strvalue" => Arg(0) is QuerySample sv ? sv.Labels.Get("__value__") : "",
            "sortByLabel" => Arg(1) is IReadOnlyList<QuerySample> items
                ? items.OrderBy(i => i.Labels.Get((string)Arg(0)!), StringComparer.Ordinal).ToList()
                : Arg(1),
            "humanize" => GoFormat.Humanize(TemplateValues.ToFloat(Arg(0))),
            "humanize1024" => GoFormat.Humanize1024(TemplateValues.ToFloat(Arg(0))),
            "humanizeDuration" => GoFormat.HumanizeDuration(TemplateValues.ToFloat(Arg(0))),
            "humanizePercentage" => GoFormat.HumanizePercentage(TemplateValues.ToFloat(Arg(0))),
            "humanizeTimestamp" => HumanizeTimestamp(TemplateValues.ToFloat(Arg(0))),
            "title" => Title(TemplateValues.Print(Arg(0))),
            "toUpper" => TemplateValues.Print(Arg(0)).ToUpperInvariant(),
            "toLower" => TemplateValues.Print(Arg(0)).ToLowerInvariant(),
            "match" => Regex.IsMatch(TemplateValues.Print(Arg(1)), TemplateValues.Print(Arg(0))),
            "reReplaceAll" => Regex.Replace(TemplateValues.Print(Arg(2)), TemplateValues.Print(Arg(0)), GoReplacement(TemplateValues.Print(Arg(1)))),
            "safeHtml" or "html" or "js" => TemplateValues.Print(Arg(0)),
            "stripPort" => StripPort(TemplateValues.Print(Arg(0))),
            "stripDomain" => StripDomain(TemplateValues.Print(Arg(0))),
            "externalURL" => data.ExternalUrl,
            "pathPrefix" => new Uri(data.ExternalUrl, UriKind.RelativeOrAbsolute).IsAbsoluteUri ? new Uri(data.ExternalUrl).AbsolutePath.TrimEnd('/') : "",
            "parseDuration" => Vigil.Configuration.Duration.TryParse(TemplateValues.Print(Arg(0)), out var d) ? d.TotalSeconds : throw new TemplateException($"not a valid duration string: \"{Arg(0)}\""),
            "urlquery" => Uri.EscapeDataString(string.Concat(args.Select(TemplateValues.Print))),
            "printf" => Printf(TemplateValues.Print(Arg(0)), args.Skip(1).ToList()),
            "print" => string.Concat(args.Select(TemplateValues.Print)),
            "len" => (long)(Arg(0) switch { string s2 => s2.Length, Labels l => l.Count, System.Collections.ICollection c => c.Count, _ => 0 }),
            "index" => Arg(0) is Labels map ? map.Get(TemplateValues.Print(Arg(1))) : Arg(0) is IReadOnlyList<QuerySample> list2 ? list2[(int)TemplateValues.ToFloat(Arg(1))] : null,
            "eq" => args.Skip(1).Any(a => Compare(Arg(0), a) == 0),
            "ne" => Compare(Arg(0), Arg(1)) != 0,
            "lt" => Compare(Arg(0), Arg(1)) < 0,
            "le" => Compare(Arg(0), Arg(1)) <= 0,
            "gt" => Compare(Arg(0), Arg(1)) > 0,
            "ge" => Compare(Arg(0), Arg(1)) >= 0,
            "and" => args.FirstOrDefault(a => !TemplateValues.Truthy(a), args.LastOrDefault()),
            "or" => args.FirstOrDefault(TemplateValues.Truthy, args.LastOrDefault()),
            "not" => !TemplateValues.Truthy(Arg(0)),
            "args" => args.Select((a, i) => (a, i)).ToDictionary(x => $"arg{x.i}", x => x.a),
            _ => throw new TemplateException($"function \"{name}\" not defined"),
        };
    }

    private static int Compare(object? a, object? b) => (a, b) switch
    {
        (double x, double y) => x.CompareTo(y),
        (long x, long y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) => x.CompareTo(y),
        _ => throw new TemplateException("incompatible types for comparison"),
    };

    /// <summary>Go's strings.Title: a letter after a separator (anything but a letter, digit or '_') is upper-cased; nothing is lower-cased.</summary>
    private static string Title(string text)
    {
        var output = new StringBuilder(text.Length);
        var previous = ' ';
        foreach (var c in text)
        {
            output.Append(IsSeparator(previous) ? char.ToUpperInvariant(c) : c);
            previous = c;
        }
        return output.ToString();
    }

    private static bool IsSeparator(char c) =>
        c <= 0x7F ? !(char.IsAsciiLetterOrDigit(c) || c == '_') : !char.IsLetterOrDigit(c) && char.IsWhiteSpace(c);

    private static string HumanizeTimestamp(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            return GoFormat.G(seconds, 4);
        }
        // Prometheus (template.go floatToTime): int64(v * 1e9) nanoseconds, cut to milliseconds by model.TimeFromUnixNano.
        var time = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1e9) / 1_000_000).UtcDateTime;
        return time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + " +0000 UTC";
    }

    private static string StripPort(string hostPort) => SplitHostPort(hostPort) is { } split ? split.Host : hostPort;

    /// <summary>Prometheus's stripDomain: the first name of a host, its port kept; an IP address is left as it is.</summary>
    private static string StripDomain(string hostPort)
    {
        var (host, port) = SplitHostPort(hostPort) ?? (hostPort, "");
        if (System.Net.IPAddress.TryParse(host, out _))
        {
            return hostPort;
        }
        host = host.Split('.')[0];
        return port.Length > 0 ? (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}") : host;
    }

    /// <summary>Go's net.SplitHostPort: <c>host:port</c> or <c>[v6]:port</c>; null when there is no port.</summary>
    private static (string Host, string Port)? SplitHostPort(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0)
        {
            return null;
        }
        var host = hostPort[..colon];
        if (host.StartsWith('['))
        {
            return host.EndsWith(']') ? (host[1..^1], hostPort[(colon + 1)..]) : null;
        }
        return host.Contains(':', StringComparison.Ordinal) ? null : (host, hostPort[(colon + 1)..]);
    }

    /// <summary>Go writes <c>$1</c> and <c>${name}</c> in replacements as .NET does; only <c>$$</c> needs no change.</summary>
    private static string GoReplacement(string replacement) => replacement;

    /// <summary>Go's <c>%!d(float64=2.5)</c>: a verb that does not fit its argument's type; null when it fits.</summary>
    private static string? BadVerb(char verb, object? arg)
    {
        var (type, fits) = arg switch
        {
            null => ("<nil>", verb == 'v'),
            double => ("float64", verb is 'v' or 'f' or 'F' or 'g' or 'e' or 'x'),
            long => ("int", verb is 'v' or 'd' or 'x' or 'q'),
            bool => ("bool", verb is 'v' or 't'),
            string => ("string", verb is 'v' or 's' or 'q' or 'x'),
            _ => ("", true),
        };
        if (fits)
        {
            return arg is null ? "<nil>" : null;
        }
        return arg is null ? $"%!{verb}(<nil>)" : $"%!{verb}({type}={TemplateValues.Print(arg)})";
    }

    /// <summary>Go's padding to a width: spaces on the left, on the right with <c>-</c>, zeros after the sign with <c>0</c>.</summary>
    private static string Pad(string text, int width, bool left, bool zeros)
    {
        if (text.Length >= width)
        {
            return text;
        }
        if (left)
        {
            return text.PadRight(width);
        }
        if (zeros)
        {
            var sign = text.StartsWith('-') || text.StartsWith('+') ? text[..1] : "";
            return sign + text[sign.Length..].PadLeft(width - sign.Length, '0');
        }
        return text.PadLeft(width);
    }

    /// <summary>Go's <c>fmt.Sprintf</c> for the verbs templates use: %s %v %d %f %.Nf %g %e %q %x %%, with flags and width.</summary>
    public static string Printf(string format, List<object?> args)
    {
        var output = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                output.Append(format[i]);
                continue;
            }
            var start = ++i;
            while (i < format.Length && (char.IsAsciiDigit(format[i]) || format[i] is '.' or '-' or '+' or '#' or ' '))
            {
                i++;
            }
            if (i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }
            var spec = format[start..i];
            var verb = format[i];
            if (verb == '%')
            {
                output.Append('%');
                continue;
            }
            if (next >= args.Count)
            {
                output.Append($"%!{verb}(MISSING)");
                continue;
            }
            var arg = args[next++];
            // Go's flags come first (-+# 0), then the width, then .precision.
            var flagEnd = 0;
            while (flagEnd < spec.Length && spec[flagEnd] is '-' or '+' or '#' or ' ' or '0')
            {
                flagEnd++;
            }
            var flags = spec[..flagEnd];
            var dot = spec.IndexOf('.', StringComparison.Ordinal);
            var width = int.TryParse(dot < 0 ? spec[flagEnd..] : spec[flagEnd..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : 0;
            var precision = dot < 0 ? (int?)null : int.TryParse(spec[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
            var text = BadVerb(verb, arg) ?? verb switch
            {
                's' or 'v' => TemplateValues.Print(arg),
                'd' => ((long)TemplateValues.ToFloat(arg)).ToString(CultureInfo.InvariantCulture),
                'f' or 'F' => TemplateValues.ToFloat(arg).ToString("F" + (precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                'g' => GoFormat.G(TemplateValues.ToFloat(arg), precision ?? -1),
                'e' => TemplateValues.ToFloat(arg).ToString((precision is { } ep ? "0." + new string('0', ep) : "0.000000") + "e+00", CultureInfo.InvariantCulture),
                'q' => Templates.GoJson.Quote(TemplateValues.Print(arg)),
                'x' => arg is long lx ? lx.ToString("x", CultureInfo.InvariantCulture) : arg is double dx ? ((long)dx).ToString("x", CultureInfo.InvariantCulture) : Convert.ToHexStringLower(Encoding.UTF8.GetBytes(TemplateValues.Print(arg))),
                _ => $"%!{verb}({TemplateValues.Print(arg)})",
            };
            if (verb == 's' && precision is { } cut && cut < text.Length)
            {
                text = text[..cut];
            }
            var numeric = verb is 'd' or 'f' or 'F' or 'g' or 'e' or 'x';
            if (numeric && flags.Contains('+', StringComparison.Ordinal) && !text.StartsWith('-'))
            {
                text = "+" + text;
            }
            output.Append(Pad(text, width, flags.Contains('-', StringComparison.Ordinal), numeric && flags.Contains('0', StringComparison.Ordinal)));
        }
        return output.ToString();
    }
}
