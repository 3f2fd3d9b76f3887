using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Metrics.PromQL;

/// <summary>Number and duration notation shared by PromQL, test scripts and label values.</summary>
public static partial class Numbers
{
    /// <summary>
    /// Parses a float as Go's <c>strconv.ParseFloat</c> does for the forms Prometheus meets:
    /// decimals with exponent, <c>Inf</c>/<c>+Inf</c>/<c>-Inf</c>/<c>NaN</c> in any case, and hex integers.
    /// </summary>
    public static bool TryParseFloat(string s, out double value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }
        var body = s;
        var sign = 1.0;
        if (body[0] is '+' or '-')
        {
            sign = body[0] == '-' ? -1 : 1;
            body = body[1..];
        }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (ulong.TryParse(body.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                value = sign * hex;
                return true;
            }
            return false;
        }
        if (body.Length == 0 || !(char.IsAsciiDigit(body[0]) || body[0] == '.'))
        {
            return false;
        }
        if (!double.TryParse(body, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d))
        {
            return false;
        }
        value = sign * d;
        return true;
    }

    /// <summary>
    /// Parses a PromQL number literal as Prometheus does: first as an integer with Go base
    /// prefixes (<c>0x1F</c>, a leading <c>0</c> for octal), then as a float.
    /// </summary>
    public static bool TryParseLiteral(string s, out double value)
    {
        var body = s.TrimStart('+', '-');
        var negative = s.StartsWith('-');
        if (body.Length > 1 && body[0] == '0' && body.All(char.IsAsciiDigit) && TryParseOctal(body, out var octal))
        {
            value = octal * (negative ? -1.0 : 1.0);
            return true;
        }
        // Not octal (an 8 or a 9), or past int64 (strconv.ParseInt's range error): Go then parses
        // the text as a decimal float, and so do we.
        return TryParseFloat(s, out value);
    }

    private static bool TryParseOctal(string digits, out long value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '7' || value > (long.MaxValue >> 3))
            {
                return false;
            }
            value = (value << 3) | (long)(c - '0');
        }
        return true;
    }

    /// <summary>Formats a value as Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>: shortest digits, never an exponent.</summary>
    public static string FormatFixed(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOfAny(['E', 'e']);
        if (e < 0)
        {
            return r;
        }
        var exp = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = r[..e];
        var negative = mantissa.StartsWith('-');
        if (negative)
        {
            mantissa = mantissa[1..];
        }
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var intLen = (dot < 0 ? mantissa.Length : dot) + exp;
        string result;
        if (intLen <= 0)
        {
            result = "0." + new string('0', -intLen) + digits;
        }
        else if (intLen >= digits.Length)
        {
            result = digits + new string('0', intLen - digits.Length);
        }
        else
        {
            result = digits[..intLen] + "." + digits[intLen..];
        }
        return negative ? "-" + result : result;
    }

    /// <summary>Formats a value as Prometheus prints sample values in text (<c>+Inf</c>, <c>NaN</c>, shortest digits).</summary>
    public static string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "+Inf" : "-Inf") : v.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex("^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    private static readonly long[] UnitMs = [365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000, 1000L, 1L];

    /// <summary>Parses a Prometheus duration (<c>1h30m</c>, <c>5m</c>, <c>10s</c>, <c>1ms</c>, <c>0</c>) into milliseconds.</summary>
    public static bool TryParseDuration(string s, out long milliseconds)
    {
        milliseconds = 0;
        if (s == "0")
        {
            return true;
        }
        if (s.Length == 0)
        {
            return false;
        }
        var m = DurationPattern().Match(s);
        if (!m.Success)
        {
            return false;
        }
        for (var i = 0; i < UnitMs.Length; i++)
        {
            var g = m.Groups[i + 1];
            if (g.Success)
            {
                if (!long.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return false;
                }
                milliseconds += n * UnitMs[i];
            }
        }
        return true;
    }

    /// <summary>Formats milliseconds as a Prometheus duration, e.g. <c>1h30m</c>; zero is <c>0s</c>.</summary>
    public static string FormatDuration(long milliseconds)
    {
        if (milliseconds == 0)
        {
            return "0s";
        }
        var sign = milliseconds < 0 ? "-" : "";
        var ms = Math.Abs(milliseconds);
        var sb = new System.Text.StringBuilder(sign);
        string[] units = ["y", "w", "d", "h", "m", "s", "ms"];
        for (var i = 0; i < UnitMs.Length; i++)
        {
            if (ms >= UnitMs[i])
            {
                sb.Append(ms / UnitMs[i]).Append(units[i]);
                ms %= UnitMs[i];
            }
        }
        return sb.ToString();
    }
}
