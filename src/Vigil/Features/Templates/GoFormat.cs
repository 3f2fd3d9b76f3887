using System.Globalization;
using System.Text;

namespace Vigil.Features.Templates;

/// <summary>
/// Go's float formatting, as Prometheus's templates and promtool print numbers: <c>%v</c> and
/// <c>%.4g</c> (fmt/strconv: exponent form when the exponent is below -4 or at least the
/// precision, 6 for shortest), <c>%E</c> shortest (promtool's sample values), and the
/// <c>humanize*</c> functions of Prometheus's <c>template/template.go</c>.
/// </summary>
public static class GoFormat
{
    /// <summary><c>%v</c> of a float64: <c>strconv.FormatFloat(v, 'g', -1, 64)</c>.</summary>
    public static string V(double v) => G(v, -1);

    /// <summary><c>%g</c> with a precision (significant digits), or -1 for the shortest representation.</summary>
    public static string G(double v, int precision)
    {
        if (Special(v) is { } special)
        {
            return special;
        }
        var (negative, digits, exponent) = Decompose(v, precision);
        // strconv's %g: "%e is used if the exponent is less than -4 or greater than or equal to
        // the precision; if precision was the shortest possible, use precision 6 for this decision."
        var eprec = precision;
        if (eprec > digits.Length && digits.Length >= exponent + 1)
        {
            eprec = digits.Length;
        }
        if (precision < 0)
        {
            eprec = 6;
        }
        var body = exponent < -4 || exponent >= eprec ? Scientific(digits, exponent, 'e') : Fixed(digits, exponent);
        return negative ? "-" + body : body;
    }

    /// <summary><c>strconv.FormatFloat(v, 'E', -1, 64)</c>: <c>5E-01</c>, <c>1.6666666666666666E-01</c>.</summary>
    public static string E(double v)
    {
        if (Special(v) is { } special)
        {
            return special;
        }
        var (negative, digits, exponent) = Decompose(v, -1);
        var body = Scientific(digits, exponent, 'E');
        return negative ? "-" + body : body;
    }

    private static string? Special(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : null;

    /// <summary>Significant digits (no trailing zeros) and the decimal exponent of the first digit.</summary>
    private static (bool Negative, string Digits, int Exponent) Decompose(double v, int precision)
    {
        if (v == 0)
        {
            return (double.IsNegative(v), "0", 0);
        }
        var text = precision < 0
            ? ShortestE(Math.Abs(v))
            : Math.Abs(v).ToString("E" + Math.Max(0, precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = text[..e].Replace(".", "", StringComparison.Ordinal).TrimEnd('0');
        var exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return (v < 0, mantissa.Length == 0 ? "0" : mantissa, exponent);
    }

    /// <summary>The shortest round-trip digits of <paramref name="v"/> in E form.</summary>
    private static string ShortestE(double v)
    {
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E', StringComparison.Ordinal))
        {
            return r;
        }
        var digits = r.Replace(".", "", StringComparison.Ordinal);
        var point = r.IndexOf('.', StringComparison.Ordinal) is var p && p >= 0 ? p : r.Length;
        var firstNonZero = digits.TakeWhile(c => c == '0').Count();
        var exponent = point - firstNonZero - 1;
        var significant = digits[firstNonZero..].TrimEnd('0');
        return $"{significant[0]}.{(significant.Length > 1 ? significant[1..] : "0")}E{exponent}";
    }

    private static string Scientific(string digits, int exponent, char e)
    {
        var sb = new StringBuilder().Append(digits[0]);
        if (digits.Length > 1)
        {
            sb.Append('.').Append(digits, 1, digits.Length - 1);
        }
        sb.Append(e).Append(exponent < 0 ? '-' : '+');
        var abs = Math.Abs(exponent);
        sb.Append(abs < 10 ? "0" : "").Append(abs.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static string Fixed(string digits, int exponent)
    {
        if (exponent < 0)
        {
            return "0." + new string('0', -exponent - 1) + digits;
        }
        if (exponent + 1 >= digits.Length)
        {
            return digits + new string('0', exponent + 1 - digits.Length);
        }
        return digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
    }

    /// <summary>Prometheus <c>humanize</c>: 4 significant digits with k/M/G/... or m/u/n/... prefixes.</summary>
    public static string Humanize(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return G(v, 4);
        }
        if (Math.Abs(v) >= 1)
        {
            var prefix = "";
            foreach (var p in new[] { "k", "M", "G", "T", "P", "E", "Z", "Y" })
            {
                if (Math.Abs(v) < 1000)
                {
                    break;
                }
                prefix = p;
                v /= 1000;
            }
            return G(v, 4) + prefix;
        }
        var small = "";
        foreach (var p in new[] { "m", "u", "n", "p", "f", "a", "z", "y" })
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }
            small = p;
            v *= 1000;
        }
        return G(v, 4) + small;
    }

    /// <summary>Prometheus <c>humanize1024</c>: binary prefixes ki, Mi, Gi, ...</summary>
    public static string Humanize1024(double v)
    {
        if (Math.Abs(v) <= 1 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return G(v, 4);
        }
        var prefix = "";
        foreach (var p in new[] { "ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi" })
        {
            if (Math.Abs(v) < 1024)
            {
                break;
            }
            prefix = p;
            v /= 1024;
        }
        return G(v, 4) + prefix;
    }

    /// <summary>Prometheus <c>humanizePercentage</c>: the ratio times 100, 4 significant digits, a percent sign.</summary>
    public static string HumanizePercentage(double v) => G(v * 100, 4) + "%";

    /// <summary>Prometheus <c>humanizeDuration</c>: seconds as <c>1d 2h 3m 4s</c>, or 4 significant digits with s/ms/us/...</summary>
    public static string HumanizeDuration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return G(v, 4);
        }
        if (v == 0)
        {
            return G(v, 4) + "s";
        }
        if (Math.Abs(v) >= 1)
        {
            var sign = v < 0 ? "-" : "";
            v = Math.Abs(v);
            var duration = (long)v;
            var seconds = duration % 60;
            var minutes = duration / 60 % 60;
            var hours = duration / 3600 % 24;
            var days = duration / 86400;
            if (days != 0)
            {
                return $"{sign}{days}d {hours}h {minutes}m {seconds}s";
            }
            if (hours != 0)
            {
                return $"{sign}{hours}h {minutes}m {seconds}s";
            }
            if (minutes != 0)
            {
                return $"{sign}{minutes}m {seconds}s";
            }
            return $"{sign}{G(v, 4)}s";
        }
        var prefix = "";
        foreach (var p in new[] { "m", "u", "n", "p", "f", "a", "z", "y" })
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return $"{G(v, 4)}{prefix}s";
    }
}
