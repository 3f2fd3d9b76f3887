namespace Vigil.Web.Charts;

/// <summary>One line of a chart: a name for the legend and its points (time in ms, value); NaN breaks the line.</summary>
/// <param name="Dashed">Drawn dashed: a forecast beside the history.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, bool Dashed = false);

public readonly record struct ChartPoint(long TimestampMs, double Value);

/// <summary>An event drawn across a chart as a vertical marker at its time, titled (e.g. a deployment: version, service, environment).</summary>
public sealed record ChartAnnotation(long TimestampMs, string Title, string Kind = "deployment");

/// <summary>
/// The arithmetic of a chart, separate from its drawing: value range, "nice" tick values
/// (1, 2, 5 × 10^n steps, as most plotting libraries choose), and time ticks on round minutes or hours.
/// </summary>
public static class ChartScale
{
    /// <summary>Up to about <paramref name="count"/> round tick values covering [min, max].</summary>
    public static IReadOnlyList<double> NiceTicks(double min, double max, int count = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            return [];
        }
        // A range too narrow for doubles at this magnitude (a ratio that differs in its last bits,
        // 3 and 3.0000000000000004) is drawn as a flat line: widened as if min and max were equal.
        // Without this, min / step passes 2^53, the tick counter stops advancing and the loop below
        // never ends (the console's /graph grew to 22 GB on rate(hits) / rate(misses)).
        if (max - min <= Math.Max(Math.Abs(min), Math.Abs(max)) * 1e-12)
        {
            max = min + (min == 0 ? 1 : Math.Abs(min) * 0.1);
        }
        var rough = (max - min) / Math.Max(1, count);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var factor = (rough / magnitude) switch
        {
            < 1.5 => 1,
            < 3.5 => 2,
            < 7.5 => 5,
            _ => 10,
        };
        var step = magnitude * factor;
        if (!double.IsFinite(step) || step <= 0)
        {
            return [min, max];
        }
        var decimals = (int)Math.Clamp(-Math.Floor(Math.Log10(step)), 0, 15);
        var first = Math.Floor(min / step);
        var ticks = new List<double>();
        // Bounded: a handful of ticks is asked for, never more than a few times that.
        for (var k = 0; k <= (4 * count) + 2 && (first + k) * step <= max + (step / 2); k++)
        {
            ticks.Add(Math.Round((first + k) * step, decimals));
        }
        return ticks;
    }

    /// <summary>Time ticks at round intervals (1 min .. 1 day) covering [startMs, endMs].</summary>
    public static IReadOnlyList<long> TimeTicks(long startMs, long endMs, int count = 6)
    {
        long[] steps = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 7 * 86_400_000];
        var span = Math.Max(1, endMs - startMs);
        var step = steps.FirstOrDefault(s => span / s <= count, steps[^1]);
        var ticks = new List<long>();
        for (var t = (startMs + step - 1) / step * step; t <= endMs; t += step)
        {
            ticks.Add(t);
        }
        return ticks;
    }

    /// <summary>A value for an axis label: 1.5k, 2M, 0.25, 1e-5.</summary>
    public static string FormatValue(double value)
    {
        var abs = Math.Abs(value);
        return abs switch
        {
            0 => "0",
            >= 1e9 => (value / 1e9).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "G",
            >= 1e6 => (value / 1e6).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "M",
            >= 1e3 => (value / 1e3).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "k",
            >= 0.01 => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString("0.##e0", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>One point of a stacked series: the band it fills, from the series below it to its own top.</summary>
public readonly record struct StackedPoint(long TimestampMs, double Lower, double Upper);

/// <summary>
/// Stacking, as Grafana's "normal" stack mode draws it: each series is drawn on top of the sum of
/// the series before it at the same timestamp. A series with no finite value at a timestamp adds
/// nothing there and draws nothing there (its band is broken, the ones above it stay continuous):
/// its point is kept with a NaN upper edge.
/// </summary>
public static class ChartStack
{
    public static IReadOnlyList<IReadOnlyList<StackedPoint>> Stack(IReadOnlyList<ChartSeries> series)
    {
        var below = new Dictionary<long, double>();
        var stacked = new List<IReadOnlyList<StackedPoint>>(series.Count);
        foreach (var s in series)
        {
            var band = new List<StackedPoint>(s.Points.Count);
            foreach (var p in s.Points)
            {
                if (!double.IsFinite(p.Value))
                {
                    band.Add(new StackedPoint(p.TimestampMs, below.GetValueOrDefault(p.TimestampMs), double.NaN));
                    continue;
                }
                var lower = below.GetValueOrDefault(p.TimestampMs);
                below[p.TimestampMs] = lower + p.Value;
                band.Add(new StackedPoint(p.TimestampMs, lower, lower + p.Value));
            }
            stacked.Add(band);
        }
        return stacked;
    }
}
