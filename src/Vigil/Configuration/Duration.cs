using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Configuration;

/// <summary>
/// Durations as Prometheus writes them: one or more number-unit pairs, largest unit first, with
/// units ms, s, m, h, d, w, y (<c>30s</c>, <c>5m</c>, <c>1h30m</c>). A year is 365 days and a week 7,
/// as in Prometheus's <c>model.ParseDuration</c>.
/// </summary>
public static partial class Duration
{
    [GeneratedRegex(@"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private static readonly long[] UnitMilliseconds =
        [365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000, 60_000, 1_000, 1];

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text == "0")
        {
            return text == "0";
        }
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }
        // Prometheus's model.ParseDuration refuses a duration past int64 nanoseconds ("duration out
        // of range"); here the bound is what a TimeSpan holds, and a number too long for int64 is
        // refused rather than skipped.
        var maxMilliseconds = (long)TimeSpan.MaxValue.TotalMilliseconds;
        long total = 0;
        for (var i = 0; i < UnitMilliseconds.Length; i++)
        {
            var group = match.Groups[i + 1];
            if (!group.Success)
            {
                continue;
            }
            if (!long.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || n > (maxMilliseconds - total) / UnitMilliseconds[i])
            {
                return false;
            }
            total += n * UnitMilliseconds[i];
        }
        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Formats the shortest Prometheus form: 90 s is <c>1m30s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }
        var units = new[] { "y", "w", "d", "h", "m", "s", "ms" };
        var parts = new System.Text.StringBuilder();
        for (var i = 0; i < units.Length; i++)
        {
            var n = ms / UnitMilliseconds[i];
            if (n > 0)
            {
                parts.Append(n.ToString(CultureInfo.InvariantCulture)).Append(units[i]);
                ms -= n * UnitMilliseconds[i];
            }
        }
        return parts.ToString();
    }
}
