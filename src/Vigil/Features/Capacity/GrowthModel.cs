using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Configuration;

namespace Vigil.Features.Capacity;

/// <summary>
/// A declared compound growth model: the value is multiplied by <see cref="Factor"/> every
/// <see cref="Period"/>, so value(t) = value(0) × factor^(t / period) (compound growth, as finance
/// writes it: A = P(1 + r)^t). <c>3x/year</c> is factor 3 a year; <c>+20%/month</c> factor 1.2 a month;
/// <c>-10%/quarter</c> factor 0.9. A month is a twelfth of a 365-day year, a quarter a quarter of it.
/// </summary>
public sealed partial record GrowthModel(string Text, double Factor, TimeSpan Period)
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    [GeneratedRegex(@"^\s*(?:(?<times>\d+(?:\.\d+)?)\s*x|(?<percent>[+-]\s*\d+(?:\.\d+)?)\s*%)\s*(?:/|\s+(?:a|per)\s+)\s*(?<period>-?[0-9a-z]+)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The model, or the reason the text is not one.</summary>
    public static (GrowthModel? Model, string? Error) Parse(string text)
    {
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return (null, $"\"{text}\" is not a growth model: write e.g. 3x/year, +20%/month or +50%/quarter");
        }
        var factor = match.Groups["times"].Success
            ? double.Parse(match.Groups["times"].Value, CultureInfo.InvariantCulture)
            : 1 + (double.Parse(match.Groups["percent"].Value.Replace(" ", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) / 100);
        if (!(factor > 0) || !double.IsFinite(factor))
        {
            return (null, $"\"{text}\": the factor must be above 0 (a value cannot shrink by 100 % or more)");
        }
        var periodText = match.Groups["period"].Value.ToLowerInvariant();
        TimeSpan period;
        switch (periodText)
        {
            case "year":
                period = Year;
                break;
            case "quarter":
                period = Year / 4;
                break;
            case "month":
                period = Year / 12;
                break;
            case "week":
                period = TimeSpan.FromDays(7);
                break;
            case "day":
                period = TimeSpan.FromDays(1);
                break;
            default:
                if (periodText.StartsWith('-') || !Duration.TryParse(periodText, out period))
                {
                    return (null, $"\"{text}\": the period \"{periodText}\" is not year, quarter, month, week, day or a positive duration such as 30d");
                }
                break;
        }
        if (period <= TimeSpan.Zero)
        {
            return (null, $"\"{text}\": the period must be longer than 0");
        }
        return (new GrowthModel(text.Trim(), factor, period), null);
    }

    /// <summary>value × factor^(after / period).</summary>
    public double Project(double value, TimeSpan after) => value * Math.Pow(Factor, after / Period);

    /// <summary>How long until <paramref name="value"/> grows to <paramref name="limit"/>: period × ln(limit / value) / ln(factor); null when it never does.</summary>
    public TimeSpan? TimeToReach(double value, double limit)
    {
        if (value >= limit)
        {
            return TimeSpan.Zero;
        }
        if (Factor <= 1 || value <= 0)
        {
            return null;
        }
        var periods = Math.Log(limit / value) / Math.Log(Factor);
        var seconds = periods * Period.TotalSeconds;
        return seconds < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(seconds) : null;
    }
}
