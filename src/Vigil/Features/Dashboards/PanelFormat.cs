using System.Globalization;
using Vigil.Web.Charts;

namespace Vigil.Features.Dashboards;

/// <summary>How a stat or gauge writes its number and picks its colour.</summary>
public static class PanelFormat
{
    /// <summary>The value in the panel's unit: <c>percent</c> (0–100), <c>percentunit</c> (0–1), <c>bytes</c> (binary prefixes), <c>s</c>; others appended.</summary>
    public static string Value(double value, string? unit)
    {
        if (!double.IsFinite(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }
        return unit switch
        {
            "percent" => value.ToString("0.##", CultureInfo.InvariantCulture) + "%",
            "percentunit" => (value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%",
            "bytes" => Bytes(value),
            "s" => ChartScale.FormatValue(value) + " s",
            null or "" or "none" or "short" => ChartScale.FormatValue(value),
            _ => ChartScale.FormatValue(value) + " " + unit,
        };
    }

    private static string Bytes(double value)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var i = 0;
        while (Math.Abs(value) >= 1024 && i < units.Length - 1)
        {
            value /= 1024;
            i++;
        }
        return value.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[i];
    }

    /// <summary>
    /// Grafana's rule: the colour of the highest step whose value is at or below the number; the step
    /// without a value is the base. Null when the panel has no thresholds.
    /// </summary>
    public static string? Colour(double value, IReadOnlyList<ThresholdStep>? steps)
    {
        if (steps is not { Count: > 0 })
        {
            return null;
        }
        var colour = steps.FirstOrDefault(s => s.Value is null)?.Color;
        foreach (var step in steps.Where(s => s.Value is not null).OrderBy(s => s.Value))
        {
            if (value >= step.Value)
            {
                colour = step.Color;
            }
        }
        return colour is null ? null : Css(colour);
    }

    /// <summary>Grafana's shade names (<c>semi-dark-red</c>, <c>light-green</c>) as the CSS colour of their hue.</summary>
    public static string Css(string colour)
    {
        foreach (var prefix in new[] { "super-light-", "semi-dark-", "light-", "dark-" })
        {
            if (colour.StartsWith(prefix, StringComparison.Ordinal))
            {
                return colour[prefix.Length..];
            }
        }
        return colour;
    }

    /// <summary>The ends of a gauge: the panel's, else 0 and 100 for percent, 1 for percentunit, or the highest threshold or value.</summary>
    public static (double Min, double Max) GaugeBounds(PanelDefinition panel, double value)
    {
        var min = panel.Min ?? 0;
        var max = panel.Max ?? panel.Unit switch
        {
            "percent" => 100,
            "percentunit" => 1,
            _ => Math.Max(Math.Max(min + 1, value), (panel.Thresholds ?? []).Select(t => t.Value ?? double.MinValue).DefaultIfEmpty(0).Max()),
        };
        return (min, max <= min ? min + 1 : max);
    }
}
